namespace MalariaML.Tests.Cluster;

/// <summary>A folder of many real cells: the committed sample repeated under different names (patients kept).</summary>
internal static class ClusterCells
{
    /// <summary>Writes <paramref name="count"/> cells under <paramref name="folder"/> (copyNN/CLASS/NAME_rNN.png).</summary>
    public static IReadOnlyList<string> Write(string folder, int count)
    {
        var sample = Directory.EnumerateFiles(TestData.SampleRoot, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var written = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var round = i / sample.Count;
            var source = sample[i % sample.Count];
            var label = Path.GetFileName(Path.GetDirectoryName(source)!);
            var target = Path.Combine(folder, $"copy{round:D2}", label, $"{Path.GetFileNameWithoutExtension(source)}_r{round:D2}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            written.Add(target);
        }

        return written;
    }
}
