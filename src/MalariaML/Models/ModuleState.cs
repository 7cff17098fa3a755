using TorchSharp.Modules;
using System.Text;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>Module weights and optimizer state to and from bytes, in TorchSharp's own format.</summary>
internal static class ModuleState
{
    /// <summary>Serialises every parameter and buffer of <paramref name="module"/>.</summary>
    public static byte[] Save(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Write(writer => module.save(writer), null);
    }

    /// <summary>
    /// Like <see cref="Save(nn.Module)"/>, but overwrites <paramref name="reuse"/> when the state has exactly its length
    /// (it does from one epoch to the next) and returns it; otherwise returns a new array.
    /// </summary>
    internal static byte[] Save(nn.Module module, byte[]? reuse)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Write(writer => module.save(writer), reuse);
    }

    /// <summary>Loads weights saved by <see cref="Save(nn.Module)"/>; every name and shape must match.</summary>
    /// <exception cref="MalariaMLException">The bytes do not fit the module.</exception>
    public static void Load(nn.Module module, byte[] state, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state, writable: false));
            module.load(reader, strict: true);
        }
        catch (Exception e) when (e is not MalariaMLException and not OutOfMemoryException)
        {
            throw new MalariaMLException($"{sourceName}: weights do not fit the {module.GetName()} network ({e.Message})", e);
        }
    }

    /// <summary>Serialises an optimizer's state (moments, step counts, options).</summary>
    public static byte[] Save(OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Write(writer => optimizer.save_state_dict(writer), null);
    }

    /// <summary>Like <see cref="Save(OptimizerHelper)"/>, reusing <paramref name="reuse"/> when the state fits it exactly.</summary>
    internal static byte[] Save(OptimizerHelper optimizer, byte[]? reuse)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Write(writer => optimizer.save_state_dict(writer), reuse);
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="reuse"/> when the lengths match, else into a new array.</summary>
    internal static byte[] Copy(byte[] source, byte[]? reuse)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = reuse is not null && reuse.Length == source.Length && !ReferenceEquals(reuse, source) ? reuse : new byte[source.Length];
        source.CopyTo(target, 0);
        return target;
    }

    // The trainer snapshots weights and optimizer state after every epoch (tens to hundreds of MB for these networks).
    // Fresh arrays each time, plus the doubling buffers of a growing MemoryStream, went to the large-object heap, which
    // is neither compacted nor promptly collected, and the process grew by about their size every epoch; writing into
    // the previous epoch's array of the same length allocates nothing.
    private static byte[] Write(Action<BinaryWriter> save, byte[]? reuse)
    {
        if (reuse is { Length: > 0 })
        {
            try
            {
                using var fixedStream = new MemoryStream(reuse, writable: true);
                using (var writer = new BinaryWriter(fixedStream, Encoding.UTF8, leaveOpen: true))
                {
                    save(writer);
                }

                if (fixedStream.Position == reuse.Length)
                {
                    return reuse;
                }
            }
            catch (NotSupportedException)
            {
                // The state outgrew the array (a fixed MemoryStream cannot expand): serialise again into a new one.
            }
        }

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>Restores an optimizer's state saved by <see cref="Save(OptimizerHelper)"/>.</summary>
    public static void Load(OptimizerHelper optimizer, byte[] state, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state, writable: false));
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is not MalariaMLException and not OutOfMemoryException)
        {
            throw new MalariaMLException($"{sourceName}: optimizer state does not fit ({e.Message})", e);
        }
    }
}
