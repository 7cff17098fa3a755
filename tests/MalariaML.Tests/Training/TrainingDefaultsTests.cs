using MalariaML.Models;
using MalariaML.Training;

namespace MalariaML.Tests.Training;

public sealed class TrainingDefaultsTests
{
    [Fact]
    public void Every_catalogued_model_has_the_articles_training_defaults()
    {
        Assert.All(ModelCatalog.Names, name => Assert.NotNull(TrainingDefaults.For(name)));
        // The article: Adam 1e-3 from scratch and for the frozen heads; RMSprop 1e-5 and augmentation when fine-tuning.
        Assert.Equal(("adam", 1e-3, false), Describe(ModelCatalog.BasicCnn));
        Assert.Equal(("adam", 1e-3, false), Describe(ModelCatalog.ResNet18Frozen));
        Assert.Equal(("rmsprop", 1e-5, true), Describe(ModelCatalog.ResNet18FineTune));
        Assert.Equal(("rmsprop", 1e-5, true), Describe(ModelCatalog.Vgg19FineTune));
        Assert.Equal(1, TrainingDefaults.For(ModelCatalog.ResNet18MlNet).Loop.Epochs);
    }

    [Fact]
    public void An_unknown_model_is_refused_with_the_known_names()
    {
        var e = Assert.Throws<MalariaMLException>(() => TrainingDefaults.For("resnet50"));
        Assert.Contains(ModelCatalog.BasicCnn, e.Message);
    }

    private static (string, double, bool) Describe(string model)
    {
        var defaults = TrainingDefaults.For(model);
        return (defaults.Loop.Optimizer, defaults.Loop.LearningRate, defaults.Augmentation is not null);
    }
}
