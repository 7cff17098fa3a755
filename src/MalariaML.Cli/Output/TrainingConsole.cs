using System.Globalization;
using MalariaML.Training;

namespace MalariaML.Cli.Output;

/// <summary>
/// Training progress as Keras prints it: a live batch line (epoch, batch, running loss and accuracy, images/s, ETA) redrawn
/// in place on a terminal or printed every 10% of an epoch in a log, and one summary line per finished epoch.
/// </summary>
internal sealed class TrainingConsole : IProgress<TrainingProgress>
{
    private readonly bool _interactive = ConsoleProgress.Interactive;
    private int _lastTenth = -1;

    public void Report(TrainingProgress p)
    {
        if (p.Completed is { } e)
        {
            if (_interactive)
            {
                Console.Error.Write("\r\u001b[2K");
            }

            Console.WriteLine(FormattableString.Invariant(
                $"Epoch {e.Epoch}/{p.Epochs} - {e.Seconds:F0}s - loss: {e.Loss:F4} - accuracy: {e.Accuracy:F4} - val_loss: {e.ValidationLoss:F4} - val_accuracy: {e.ValidationAccuracy:F4} - lr: {e.LearningRate:0.0e+00}"));
            _lastTenth = -1;
            return;
        }

        var line = FormattableString.Invariant(
            $"Epoch {p.Epoch}/{p.Epochs} {Bar(p.Batch, p.Batches)} {p.Batch}/{p.Batches} - loss: {p.RunningLoss:F4} - accuracy: {p.RunningAccuracy:F4} - {p.ImagesPerSecond:F0} img/s - ETA {p.EpochEta:hh\\:mm\\:ss}");
        if (_interactive)
        {
            Console.Error.Write("\r\u001b[2K" + line);
            return;
        }

        var tenth = p.Batch * 10 / Math.Max(1, p.Batches);
        if (tenth != _lastTenth && tenth < 10)
        {
            _lastTenth = tenth;
            Console.Error.WriteLine(line);
        }
    }

    private static string Bar(int done, int total)
    {
        const int width = 20;
        var filled = total == 0 ? width : done * width / total;
        return "[" + new string('=', filled) + (filled < width ? ">" + new string('.', width - filled - 1) : "") + "]";
    }

    public static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
