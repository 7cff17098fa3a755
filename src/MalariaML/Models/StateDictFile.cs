using System.Buffers.Binary;
using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>The on-disk formats of a PyTorch state_dict that <see cref="StateDictFile"/> reads.</summary>
internal enum StateDictFormat
{
    /// <summary>
    /// <c>.safetensors</c>: a JSON header (names, dtypes, shapes, offsets) followed by raw tensor bytes. Holds no code and
    /// no objects, so reading it cannot execute anything. The recommended format.
    /// </summary>
    Safetensors,

    /// <summary>
    /// <c>.pth</c> / <c>.pt</c> / <c>.bin</c> written by <c>torch.save</c> since PyTorch 1.6: a zip archive with a pickle
    /// (<c>data.pkl</c>) that describes the tensors and one raw entry per tensor. Read without executing code, see
    /// <see cref="StateDictFile"/>.
    /// </summary>
    TorchZip,
}

/// <summary>
/// Reads tensors from a PyTorch state_dict file, e.g. torchvision's ImageNet weights that a user supplies, with
/// TorchSharp.PyBridge. The format is recognised from the content, not the extension.
/// </summary>
/// <remarks>
/// <para><b>Which files are safe to load.</b> Neither format can make MalariaML execute code:</para>
/// <list type="bullet">
/// <item><description><see cref="StateDictFormat.Safetensors"/> is data only by design, and only the requested keys are
/// read.</description></item>
/// <item><description><see cref="StateDictFormat.TorchZip"/> contains a pickle, which Python's <c>torch.load</c> (without
/// <c>weights_only</c>) would let run arbitrary code. Here no Python runs: PyBridge parses the pickle with Razorvine.Pickle,
/// a C# unpickler whose GLOBAL/REDUCE opcodes reach only a fixed table of constructors (PyBridge's tensor rebuilders
/// <c>torch._utils._rebuild_tensor(_v2)</c>, <c>collections.OrderedDict</c>, and plain data types such as complex, set,
/// datetime and decimal). Any other name, such as <c>os.system</c> or <c>builtins.eval</c>, becomes an inert placeholder or
/// fails; no .NET type is looked up by a name from the file. Tensor contents are raw bytes copied from the archive.</description></item>
/// </list>
/// <para>What a hostile file can still do is waste resources: the declared tensor sizes are allocated before they
/// are checked, and a <c>.pth</c> file is read whole (all keys, for torchvision's vgg19 about 550 MB, briefly) because
/// PyBridge offers no lazy access to it. Malformed files of either format raise <see cref="WeightsFileException"/>.</para>
/// <para>Not supported: PyTorch's legacy (pre-1.6) raw-pickle <c>.pth</c> format, which some older torchvision weight
/// files use. Re-save such a file in Python, preferably as safetensors:
/// <c>safetensors.torch.save_file(torch.load("old.pth", weights_only=True), "vgg19.safetensors")</c>.</para>
/// </remarks>
internal static class StateDictFile
{
    private static readonly byte[] ZipSignature = [0x50, 0x4B, 0x03, 0x04];
    private const byte PickleProtocolOpcode = 0x80;

    /// <summary>Recognises the format of <paramref name="path"/> from its first bytes.</summary>
    /// <exception cref="WeightsFileException">Missing, unreadable or of no supported format.</exception>
    public static StateDictFormat DetectFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new WeightsFileException(path, "file not found");
        }

        var head = new byte[9];
        long length;
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            length = stream.Length;
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightsFileException(path, e.Message, e);
        }

        if (read >= ZipSignature.Length && head.AsSpan(0, ZipSignature.Length).SequenceEqual(ZipSignature))
        {
            return StateDictFormat.TorchZip;
        }

        if (read > 0 && head[0] == PickleProtocolOpcode)
        {
            throw new WeightsFileException(path, "this is a raw pickle, PyTorch's legacy (pre-1.6) torch.save format, which is not supported; " +
                "re-save it in Python, e.g. safetensors.torch.save_file(torch.load(\"old.pth\", weights_only=True), \"vgg19.safetensors\")");
        }

        // safetensors: 8-byte little-endian header length, then the JSON header.
        if (read == head.Length && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) is var header && header <= (ulong)(length - 8))
        {
            return StateDictFormat.Safetensors;
        }

        throw new WeightsFileException(path, "neither a .safetensors file nor a PyTorch .pth zip archive (torch.save)");
    }

    /// <summary>
    /// Reads the tensors named in <paramref name="keys"/> that the file holds, on the CPU and in their stored dtype;
    /// other keys are skipped. The caller owns (and disposes) the returned tensors.
    /// </summary>
    /// <param name="path">A <c>.safetensors</c> or <c>torch.save</c> (zip) file holding a state_dict.</param>
    /// <param name="keys">State_dict keys wanted, e.g. <c>features.0.weight</c>.</param>
    /// <returns>The wanted keys that were found; the caller checks for missing ones.</returns>
    /// <exception cref="WeightsFileException">Missing, unreadable, of no supported format, or malformed.</exception>
    public static Dictionary<string, Tensor> Read(string path, IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var format = DetectFormat(path);
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        // Every tensor PyBridge creates lands in this scope, so nothing leaks when the file turns out malformed midway.
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> tensors;
        try
        {
            tensors = format == StateDictFormat.Safetensors ? ReadSafetensors(path, wanted) : ReadTorchZip(path, wanted);
        }
        catch (Exception e) when (e is not MalariaMLException and not OutOfMemoryException)
        {
            throw new WeightsFileException(path, $"malformed {(format == StateDictFormat.Safetensors ? "safetensors" : "torch.save")} file ({e.GetType().Name}: {e.Message})", e);
        }

        foreach (var tensor in tensors.Values)
        {
            tensor.MoveToOuterDisposeScope();
        }

        return tensors;
    }

    private static Dictionary<string, Tensor> ReadSafetensors(string path, HashSet<string> wanted)
    {
        using var stream = File.OpenRead(path);
        return Safetensors.LoadStateDict(stream, leaveOpen: true, keysToKeep: wanted.ToList());
    }

    private static Dictionary<string, Tensor> ReadTorchZip(string path, HashSet<string> wanted)
    {
        using var stream = File.OpenRead(path);
        var table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && wanted.Contains(key) && entry.Value is Tensor tensor)
            {
                tensors[key] = tensor;
            }
        }

        return tensors;
    }
}
