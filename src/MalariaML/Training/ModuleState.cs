using TorchSharp.Modules;
using System.Text;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>Module weights and optimizer state to and from bytes, in TorchSharp's own format.</summary>
public static class ModuleState
{
    /// <summary>Serialises every parameter and buffer of <paramref name="module"/>.</summary>
    public static byte[] Save(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            module.save(writer);
        }

        return stream.ToArray();
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
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
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
