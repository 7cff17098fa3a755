namespace MalariaML.Runtime;

/// <summary>
/// What <see cref="TorchRuntime.EnsureInitialized"/> found and did, so callers (CLI <c>--version</c>
/// output, bug reports, tests) can tell a stock load from a patched one.
/// </summary>
/// <param name="UsedPatchedCopy">
/// True when the stock <c>libLibTorchSharp.so</c> could not load and a copy with its surplus
/// <c>GLIBCXX_*</c> requirements marked weak was loaded instead.
/// </param>
/// <param name="NativeLibraryPath">
/// The <c>LibTorchSharp</c> file that was loaded (the patched copy when <paramref name="UsedPatchedCopy"/> is true),
/// or null when TorchSharp found it by name without this library locating it.
/// </param>
/// <param name="OriginalLibraryPath">The stock <c>LibTorchSharp</c> file that was found, or null when none was located.</param>
/// <param name="WeakenedVersions">The symbol versions marked weak in the patched copy; empty when none was needed.</param>
/// <param name="TorchSharpVersion">The informational version of the loaded TorchSharp assembly.</param>
/// <param name="LibTorchVersion">The libtorch version TorchSharp was built against (<c>torch.__version__</c>).</param>
/// <param name="IntraOpThreads">Threads libtorch uses inside one operation (<c>torch.get_num_threads()</c>).</param>
/// <param name="InterOpThreads">Threads libtorch uses to run independent operations in parallel.</param>
internal sealed record TorchRuntimeInfo(
    bool UsedPatchedCopy,
    string? NativeLibraryPath,
    string? OriginalLibraryPath,
    IReadOnlyList<string> WeakenedVersions,
    string TorchSharpVersion,
    string LibTorchVersion,
    int IntraOpThreads,
    int InterOpThreads)
{
    // The compiler-generated ToString would print the list as "System.String[]"; this text ends up in
    // logs and bug reports, so it spells the versions out.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"UsedPatchedCopy = {UsedPatchedCopy}, NativeLibraryPath = {NativeLibraryPath}, ");
        builder.Append($"OriginalLibraryPath = {OriginalLibraryPath}, WeakenedVersions = [{string.Join(", ", WeakenedVersions)}], ");
        builder.Append($"TorchSharpVersion = {TorchSharpVersion}, LibTorchVersion = {LibTorchVersion}, ");
        builder.Append($"IntraOpThreads = {IntraOpThreads}, InterOpThreads = {InterOpThreads}");
        return true;
    }
}
