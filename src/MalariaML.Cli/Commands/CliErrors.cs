using MalariaML;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary>Turns the library's typed errors into one red line and a non-zero exit code, never a stack trace.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is MalariaMLException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e)
        {
            // A bug, not a user error: keep the stack trace for the report.
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"internal error: {e}");
            return 1;
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
