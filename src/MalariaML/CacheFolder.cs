namespace MalariaML;

/// <summary>
/// Where MalariaML keeps what it can rebuild (the patched native library, cached features):
/// <c>$MALARIAML_CACHE</c>, else <c>$XDG_CACHE_HOME/malariaml</c>, else <c>~/.cache/malariaml</c>.
/// </summary>
internal static class CacheFolder
{
    /// <summary>The cache root (not created).</summary>
    /// <exception cref="MalariaMLException">None of the variables that name a cache folder is set.</exception>
    public static string Root()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("MALARIAML_CACHE");
        if (!string.IsNullOrWhiteSpace(explicitRoot))
        {
            return Path.GetFullPath(explicitRoot);
        }

        // The XDG spec says relative values must be ignored.
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "malariaml");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(home))
        {
            throw new MalariaMLException("cannot choose a cache folder: neither MALARIAML_CACHE, XDG_CACHE_HOME nor HOME is set");
        }

        return Path.Combine(home, ".cache", "malariaml");
    }
}
