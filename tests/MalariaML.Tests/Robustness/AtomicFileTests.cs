using System.Diagnostics;

namespace MalariaML.Tests.Robustness;

public class AtomicFileTests
{
    [Fact]
    public void A_write_replaces_the_file_and_removes_temporaries_of_dead_writers_only()
    {
        using var temp = TestData.NewTempFolder();
        var target = Path.Combine(temp.Path, "model.malaria");
        File.WriteAllText(target, "old");

        using var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        finished.WaitForExit();
        var dead = Path.Combine(temp.Path, $".model.malaria.{finished.Id}.{Guid.NewGuid():N}.tmp");
        var alive = Path.Combine(temp.Path, $".model.malaria.1.{Guid.NewGuid():N}.tmp"); // pid 1 always runs
        var other = Path.Combine(temp.Path, $".split.json.{finished.Id}.{Guid.NewGuid():N}.tmp");
        foreach (var f in new[] { dead, alive, other })
        {
            File.WriteAllText(f, "left by a killed writer");
        }

        AtomicFile.WriteAllBytes(target, "new"u8);

        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(alive));
        Assert.True(File.Exists(other));
    }
}
