using OpenCvSharp;

namespace MalariaML.Runtime;

/// <summary>
/// Turns a failure to load OpenCV's native library into one message a user can act on: OpenCvSharp's official Linux
/// build links GTK 3 for its (unused here) window functions, which server images often lack.
/// </summary>
internal static class OpenCvRuntime
{
    private static readonly Lazy<Exception?> LoadError = new(TryLoad);

    /// <summary>Whether OpenCV's native library loads in this process.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } error)
        {
            throw new MalariaMLException(
                "OpenCV's native library (OpenCvSharpExtern) could not be loaded: " + Describe(error)
                + ". The app needs the package OpenCvSharp4.official.runtime.linux-x64 (or the one for its platform)"
                + (OperatingSystem.IsLinux() ? ", and on Linux GTK 3 (Debian/Ubuntu: apt-get install libgtk-3-0)" : ""), error);
        }
    }

    private static Exception? TryLoad()
    {
        try
        {
            _ = Cv2.GetVersionString();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or BadImageFormatException)
        {
            return e;
        }
    }

    private static string Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is DllNotFoundException)
            {
                var missing = inner.Message.Split('\n').FirstOrDefault(l => l.Contains("cannot open shared object file") && !l.Contains("OpenCvSharpExtern"));
                return missing?.Trim() ?? inner.Message.Split('\n')[0];
            }
        }

        return e.Message;
    }
}
