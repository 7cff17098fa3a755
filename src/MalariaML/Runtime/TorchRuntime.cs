namespace MalariaML.Runtime;

/// <summary>TEMPORARY STUB, replaced by the real loader.</summary>
public static class TorchRuntime
{
    /// <summary>Stub.</summary>
    public static void EnsureInitialized() { }
}
