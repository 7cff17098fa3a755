namespace MalariaML.Models;

/// <summary>
/// Locates the ONNX files of the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package at run time.
/// Nothing is ever downloaded: the package's build props copy the files into the application's output.
/// </summary>
internal static class ResNet18ModelFiles
{
    /// <summary>Location of the ResNet18 network relative to the application's base directory.</summary>
    public static readonly string ResNet18RelativePath = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Location of the preprocessing graph (RGB to BGR, mean subtraction) relative to the base directory.</summary>
    public static readonly string PreprocessingRelativePath = Path.Combine("DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Full path of ResNet18.onnx.</summary>
    /// <param name="baseDirectory">Directory to look in; defaults to <see cref="AppContext.BaseDirectory"/>.</param>
    /// <returns>The path of an existing file.</returns>
    /// <exception cref="FileNotFoundException">The file is not where the package puts it; the message names the expected path.</exception>
    public static string LocateResNet18(string? baseDirectory = null) => Locate(ResNet18RelativePath, baseDirectory);

    /// <summary>Full path of ResNetPreprocess.onnx.</summary>
    /// <param name="baseDirectory">Directory to look in; defaults to <see cref="AppContext.BaseDirectory"/>.</param>
    /// <returns>The path of an existing file.</returns>
    /// <exception cref="FileNotFoundException">The file is not where the package puts it; the message names the expected path.</exception>
    public static string LocatePreprocessing(string? baseDirectory = null) => Locate(PreprocessingRelativePath, baseDirectory);

    private static string Locate(string relativePath, string? baseDirectory)
    {
        string path = Path.GetFullPath(Path.Combine(baseDirectory ?? AppContext.BaseDirectory, relativePath));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Pretrained model file not found at '{path}'. It is copied there at build time by the " +
                "'Microsoft.ML.DnnImageFeaturizer.ResNet18' NuGet package; reference that package from the " +
                "application project (its build props do not flow through a package dependency).",
                path);
        }

        return path;
    }
}
