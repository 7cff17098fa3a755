using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>Builds a network and loads pretrained weights into it.</summary>
internal static class PretrainedModule
{
    /// <summary>
    /// Creates the module, loads its weights and returns it in evaluation mode; if loading fails the module is disposed
    /// before the error goes on, so a bad weights file does not leak the native memory of a whole network.
    /// </summary>
    public static T Load<T>(Func<T> create, Action<T> loadWeights) where T : nn.Module
    {
        var module = create();
        try
        {
            loadWeights(module);
        }
        catch
        {
            module.Dispose();
            throw;
        }

        module.eval();
        return module;
    }
}
