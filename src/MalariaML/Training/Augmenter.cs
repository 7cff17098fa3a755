using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>Applies <see cref="ImageAugmentation"/> to a batch with one affine warp per image (bilinear sampling).</summary>
internal static class Augmenter
{
    /// <summary>
    /// Returns a new batch (N, 3, H, W) with each image rotated, sheared, zoomed, shifted and perhaps flipped by
    /// parameters drawn from <paramref name="random"/>, so a seed reproduces the same augmented epoch.
    /// </summary>
    public static Tensor Apply(Tensor images, ImageAugmentation augmentation, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(augmentation);
        ArgumentNullException.ThrowIfNull(random);
        var n = (int)images.shape[0];
        var theta = new float[n * 6];
        for (var i = 0; i < n; i++)
        {
            var angle = Uniform(random, augmentation.RotationDegrees) * Math.PI / 180;
            var shear = Uniform(random, augmentation.ShearDegrees) * Math.PI / 180;
            var zx = 1 + Uniform(random, augmentation.Zoom);
            var zy = 1 + Uniform(random, augmentation.Zoom);
            // affine_grid works in [-1, 1] coordinates, so a shift of s * size is 2 * s there.
            var tx = 2 * Uniform(random, augmentation.WidthShift);
            var ty = 2 * Uniform(random, augmentation.HeightShift);
            var flip = augmentation.HorizontalFlip && random.NextDouble() < 0.5 ? -1.0 : 1.0;
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            // rotation * shear * zoom * flip, mapping output coordinates to input coordinates
            double a = cos * zx * flip, b = (-sin + cos * Math.Tan(shear)) * zy;
            double c = sin * zx * flip, d = (cos + sin * Math.Tan(shear)) * zy;
            theta[6 * i] = (float)a;
            theta[6 * i + 1] = (float)b;
            theta[6 * i + 2] = (float)tx;
            theta[6 * i + 3] = (float)c;
            theta[6 * i + 4] = (float)d;
            theta[6 * i + 5] = (float)ty;
        }

        using var scope = NewDisposeScope();
        var matrices = torch.tensor(theta, [n, 2, 3], device: images.device);
        var grid = nn.functional.affine_grid(matrices, images.shape, align_corners: false);
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    private static double Uniform(Random random, double range) => range <= 0 ? 0 : (2 * random.NextDouble() - 1) * range;
}
