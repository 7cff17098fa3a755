using System.CommandLine;
using MalariaML.Cli.Commands;

var root = new RootCommand("malaria: detect malaria parasites in thin-blood-smear cell images.");
root.Subcommands.Add(DataCommands.Create());
return CliErrors.Run(() => root.Parse(args).Invoke());
