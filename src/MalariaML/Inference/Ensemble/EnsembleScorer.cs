using MalariaML.Data;
using MalariaML.Models;
using System.Text.Json;

namespace MalariaML.Inference.Ensemble;

/// <summary>
/// Several trained models behind one scorer: each member scores the cells with its own calibration, and the
/// probabilities are averaged. Stored in one <c>.malaria</c> file as <c>member-N/metadata.json</c> plus the member's own
/// entries under <c>member-N/</c>; the container's checksums cover every one of them.
/// </summary>
internal sealed class EnsembleScorer : ICellScorer
{
    /// <summary>The <see cref="ModelMetadata.ModelKind"/> of an ensemble.</summary>
    public const string Kind = "ensemble";

    private const string Prefix = "member-";

    /// <summary>Wraps members that take images of one size; the scorer owns and disposes them.</summary>
    public EnsembleScorer(IReadOnlyList<MalariaModel> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new MalariaMLException("an ensemble needs at least one member");
        }

        Members = members;
    }

    /// <summary>The members, each with its own metadata (temperature, threshold, history).</summary>
    public IReadOnlyList<MalariaModel> Members { get; }

    /// <inheritdoc/>
    public float[] Score(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var sum = new double[images.Count];
        foreach (var member in Members)
        {
            var p = member.PredictProbabilities(images);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += p[i];
            }
        }

        return sum.Select(s => (float)(s / Members.Count)).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, byte[]> Save()
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < Members.Count; i++)
        {
            var member = Members[i];
            entries[$"{Prefix}{i}/{ModelFile.MetadataEntry}"] = JsonSerializer.SerializeToUtf8Bytes(member.Metadata with { MetadataChecksum = null }, ModelFile.JsonOptions);
            foreach (var (name, bytes) in member.Scorer.Save())
            {
                entries[$"{Prefix}{i}/{name}"] = bytes;
            }
        }

        return entries;
    }

    /// <summary>Rebuilds the members from an ensemble file's verified entries.</summary>
    internal static EnsembleScorer Load(string path, IReadOnlyDictionary<string, byte[]> payloads, string device, ScoringEngine engine)
    {
        var members = new List<MalariaModel>();
        try
        {
            for (var i = 0; payloads.TryGetValue($"{Prefix}{i}/{ModelFile.MetadataEntry}", out var metadataBytes); i++)
            {
                var prefix = $"{Prefix}{i}/";
                ModelMetadata metadata;
                try
                {
                    metadata = JsonSerializer.Deserialize<ModelMetadata>(metadataBytes, ModelFile.JsonOptions)
                        ?? throw new ModelFileException(path, $"member {i} has empty metadata");
                }
                catch (JsonException e)
                {
                    throw new ModelFileException(path, $"member {i} metadata is not valid ({e.Message})", e);
                }

                var own = payloads.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal) && p.Key != prefix + ModelFile.MetadataEntry)
                    .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
                members.Add(new MalariaModel(MalariaModel.CreateScorer($"{path} (member {i})", metadata, own, device, engine), metadata));
            }

            if (members.Count == 0)
            {
                throw new ModelFileException(path, "ensemble has no members");
            }

            return new EnsembleScorer(members);
        }
        catch
        {
            foreach (var member in members)
            {
                member.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var member in Members)
        {
            member.Dispose();
        }
    }
}
