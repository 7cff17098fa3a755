using System.Text.Json;

namespace MalariaML.Cluster.Storage;

/// <summary>JSON conventions of the files a job keeps on shared storage.</summary>
internal static class ShardJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
