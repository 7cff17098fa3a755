using System.Diagnostics;
using MalariaML.Data;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MalariaML.Cli.Output;

/// <summary>
/// Shows progress of a long job: a live Spectre.Console bar (done/total, rate, ETA) on a terminal, and plain periodic
/// lines on stderr when output goes to a pipe or a CI log, where redrawing would only make noise.
/// </summary>
internal static class ConsoleProgress
{
    public static bool Interactive =>
        !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static T Run<T>(string description, Func<IProgress<WorkProgress>, T> work)
    {
        if (!Interactive)
        {
            var plain = new PlainLines(description);
            var result = work(plain);
            plain.Finish();
            return result;
        }

        return AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new RateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(description, maxValue: 1);
                var result = work(new Callback(p =>
                {
                    task.Description = $"{description} ({p.Stage})";
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                }));
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>Runs a job that reports no progress: a spinner on a terminal, one line otherwise.</summary>
    public static T RunWithStatus<T>(string description, Func<T> work)
    {
        if (!Interactive)
        {
            Console.Error.WriteLine($"{description}...");
            return work();
        }

        return AnsiConsole.Status().Start(description, _ => work());
    }

    private sealed class Callback(Action<WorkProgress> report) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => report(value);
    }

    /// <summary>Prints a line at every 10% step or every 5 seconds, whichever comes first.</summary>
    private sealed class PlainLines(string description) : IProgress<WorkProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private int _lastTenth = -1;
        private TimeSpan _lastPrint;
        private WorkProgress _last;

        public void Report(WorkProgress value)
        {
            lock (_lock)
            {
                _last = value;
                // Small jobs finish before a line would help; Finish() prints their one line.
                if (value.Total < 1000 && value.Done < value.Total)
                {
                    return;
                }

                var tenth = value.Total == 0 ? 10 : value.Done * 10 / value.Total;
                if (tenth == _lastTenth && _clock.Elapsed - _lastPrint < TimeSpan.FromSeconds(5))
                {
                    return;
                }

                _lastTenth = tenth;
                _lastPrint = _clock.Elapsed;
                Print(value);
            }
        }

        public void Finish()
        {
            lock (_lock)
            {
                if (_last.Done != _last.Total || _lastTenth != 10)
                {
                    Print(_last);
                }
            }
        }

        private void Print(WorkProgress p)
        {
            var seconds = _clock.Elapsed.TotalSeconds;
            var rate = seconds > 0 ? p.Done / seconds : 0;
            var eta = rate > 0 ? TimeSpan.FromSeconds((p.Total - p.Done) / rate) : TimeSpan.Zero;
            var percent = p.Total == 0 ? 100 : 100.0 * p.Done / p.Total;
            Console.Error.WriteLine(FormattableString.Invariant($"{description} ({p.Stage}): {p.Done}/{p.Total} ({percent:F0}%), {rate:F0}/s, ETA {eta:hh\\:mm\\:ss}"));
        }
    }

    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Markup(FormattableString.Invariant($"{task.Value:F0}/{task.MaxValue:F0}"));
    }

    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Markup(FormattableString.Invariant($"[grey]{task.Speed ?? 0:F0}/s[/]"));
    }
}
