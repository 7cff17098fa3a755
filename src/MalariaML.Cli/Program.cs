using System.CommandLine;
using MalariaML.Cli.Commands;

if (!MalariaML.Cli.Output.ConsoleProgress.Interactive)
{
    // Logs and pipes have no width; tables of metrics must not wrap there.
    Spectre.Console.AnsiConsole.Profile.Width = 200;
}

var root = new RootCommand("malaria: detect malaria parasites in thin-blood-smear cell images.");
root.Subcommands.Add(DataCommands.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(EvaluateCommand.CreateCompare());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(ScreenCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(MalariaML.Cli.Report.ReportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(CrossValidateCommand.Create());
root.Subcommands.Add(EnsembleCommand.Create());
root.Subcommands.Add(CrossValidateEnsembleCommand.Create());
root.Subcommands.Add(ClusterCommand.Create());
// CliErrors turns the library's errors into one line; System.CommandLine's own handler would print stack traces.
return CliErrors.Run(() =>
{
    // Before any command can touch libtorch or OpenCV: the Linux tool package carries them compressed.
    MalariaML.Cli.Natives.PackedNatives.Restore(AppContext.BaseDirectory, MalariaML.CacheFolder.Root);
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
});
