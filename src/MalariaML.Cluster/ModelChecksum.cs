using MalariaML.Models;
using System.Security.Cryptography;

namespace MalariaML.Cluster;

/// <summary>The model version a job names: the SHA-256 of the model file's bytes.</summary>
public static class ModelChecksum
{
    /// <summary>SHA-256 (lower-case hex) of a model file.</summary>
    /// <exception cref="ModelFileException">The file cannot be read.</exception>
    public static string Of(string modelPath)
    {
        try
        {
            using var stream = File.OpenRead(modelPath);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(modelPath, $"cannot be read ({e.Message})", e);
        }
    }
}
