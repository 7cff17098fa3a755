using System.Runtime.CompilerServices;
using MalariaML.Runtime;

namespace MalariaML.Tests;

internal static class TorchFirst
{
    // Tests build networks directly, and xunit runs classes in no fixed order: if the first TorchSharp call came before
    // TorchRuntime made the native library loadable (older libstdc++), TorchSharp's static constructor would fail once
    // and every later TorchSharp test of the run with it. The fix must come first, whichever test that is.
#pragma warning disable CA2255 // a test assembly, not a library
    [ModuleInitializer]
    internal static void MakeTorchLoadable() => TorchRuntime.EnsureInitialized();
#pragma warning restore CA2255
}
