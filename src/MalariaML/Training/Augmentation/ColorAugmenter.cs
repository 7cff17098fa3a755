using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Training.Augmentation;

/// <summary>Applies <see cref="ColorAugmentation"/> to a batch (N, 3, H, W) of RGB in [0, 1].</summary>
internal static class ColorAugmenter
{
    // Ruifrok and Johnston's stain vectors (haematoxylin, eosin, DAB) as optical density per RGB channel, the matrix
    // scikit-image's rgb2hed inverts.
    private static readonly float[] RgbFromHed = [0.65f, 0.70f, 0.29f, 0.07f, 0.99f, 0.11f, 0.27f, 0.57f, 0.78f];

    // NTSC YIQ: Y carries brightness, I and Q the chroma plane a hue shift rotates.
    private static readonly double[,] YiqFromRgb = { { 0.299, 0.587, 0.114 }, { 0.596, -0.274, -0.322 }, { 0.211, -0.523, 0.312 } };
    private static readonly double[,] RgbFromYiq = { { 1.0, 0.956, 0.621 }, { 1.0, -0.272, -0.647 }, { 1.0, -1.106, 1.703 } };

    /// <summary>Parameters drawn for one image, exposed for tests that check the bounds.</summary>
    /// <param name="Brightness">Brightness factor.</param>
    /// <param name="Contrast">Contrast factor.</param>
    /// <param name="Saturation">Saturation factor.</param>
    /// <param name="HueTurns">Hue rotation in turns.</param>
    /// <param name="StainScale">Factors of the H, E, D densities.</param>
    /// <param name="StainShift">Shifts of the H, E, D densities.</param>
    /// <param name="BlurSigma">Gaussian blur sigma in pixels, 0 for none.</param>
    /// <param name="Noise">Standard deviation of the added noise.</param>
    internal sealed record Draw(double Brightness, double Contrast, double Saturation, double HueTurns, double[] StainScale, double[] StainShift, double BlurSigma, double Noise);

    /// <summary>
    /// Draws one image's parameters. Every image draws the same count of numbers whatever the options, so the stream
    /// of a seeded generator (and a resumed run) does not depend on which ranges are zero.
    /// </summary>
    public static Draw DrawFor(ColorAugmentation options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var brightness = 1 + Uniform(random, options.Brightness);
        var contrast = 1 + Uniform(random, options.Contrast);
        var saturation = 1 + Uniform(random, options.Saturation);
        var hue = Uniform(random, options.Hue);
        double[] scale = [1 + Uniform(random, options.StainScale), 1 + Uniform(random, options.StainScale), 1 + Uniform(random, options.StainScale)];
        double[] shift = [Uniform(random, options.StainShift), Uniform(random, options.StainShift), Uniform(random, options.StainShift)];
        var blurred = random.NextDouble() < options.BlurProbability;
        var sigmaDraw = random.NextDouble();
        var noiseDraw = random.NextDouble();
        var sigma = blurred && options.MaxBlurSigma > 0 ? 0.3 + (sigmaDraw * Math.Max(0, options.MaxBlurSigma - 0.3)) : 0;
        return new Draw(brightness, contrast, saturation, hue, scale, shift, sigma, noiseDraw * options.MaxNoise);
    }

    /// <summary>
    /// Returns a new batch with each image's colours changed by parameters drawn from <paramref name="random"/>.
    /// Pixels that are exactly black in the input (the crop's background, or the area a geometric warp moved in)
    /// stay black; everything else stays in [0, 1].
    /// </summary>
    public static Tensor Apply(Tensor images, ColorAugmentation options, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        var n = (int)images.shape[0];
        var draws = Enumerable.Range(0, n).Select(_ => DrawFor(options, random)).ToArray();
        // One seed per batch for the noise tensor: drawing millions of normals from System.Random would be slow.
        var noiseSeed = random.NextInt64();

        using var scope = NewDisposeScope();
        using Scalar zero = 0f, one = 1f, minimum = 1f / 255f;
        var device = images.device;
        var x = images.contiguous();
        var mask = x.amax([1], keepdim: true).gt(zero).to(ScalarType.Float32);

        x = StainJitter(x, draws, minimum, device);
        // A zero range is skipped rather than applied as a factor of 1, so switched-off steps cost nothing and change no bit.
        if (options.Brightness > 0)
        {
            x = x.mul(PerImage(draws.Select(d => d.Brightness), device));
        }

        if (options.Contrast > 0)
        {
            var area = mask.sum([1, 2, 3], keepdim: true).clamp_min(one);
            var meanGray = Gray(x).mul(mask).sum([1, 2, 3], keepdim: true).div(area);
            x = x.sub(meanGray).mul(PerImage(draws.Select(d => d.Contrast), device)).add(meanGray);
        }

        if (options.Saturation > 0)
        {
            var gray = Gray(x);
            x = x.sub(gray).mul(PerImage(draws.Select(d => d.Saturation), device)).add(gray);
        }

        x = HueRotate(x, draws, device);
        x = x.clamp(zero, one);
        x = Blur(x, draws);
        if (draws.Any(d => d.Noise > 0))
        {
            using var generator = new Generator((ulong)noiseSeed, device);
            var noise = randn(x.shape, ScalarType.Float32, device, generator: generator);
            x = x.add(noise.mul(PerImage(draws.Select(d => d.Noise), device)));
        }

        return x.clamp(zero, one).mul(mask).MoveToOuterDisposeScope();
    }

    private static Tensor StainJitter(Tensor x, Draw[] draws, Scalar minimum, Device device)
    {
        if (draws.All(d => d.StainScale.All(s => s == 1) && d.StainShift.All(s => s == 0)))
        {
            return x;
        }

        var rgbFromHed = tensor(RgbFromHed, [3, 3], device: device);
        var hedFromRgb = linalg.inv(rgbFromHed);
        // Optical density per pixel as a row vector (N, H, W, 3); density = -ln(intensity), floored at one grey level.
        var od = x.clamp_min(minimum).log().neg().permute(0, 2, 3, 1);
        var hed = od.matmul(hedFromRgb);
        var n = draws.Length;
        var scale = tensor(draws.SelectMany(d => d.StainScale.Select(v => (float)v)).ToArray(), [n, 1, 1, 3], device: device);
        var shift = tensor(draws.SelectMany(d => d.StainShift.Select(v => (float)v)).ToArray(), [n, 1, 1, 3], device: device);
        var jittered = hed.mul(scale).add(shift).matmul(rgbFromHed);
        // Pixels at the floor were black before: keep them as they were rather than lighting them up.
        var changed = jittered.neg().exp().permute(0, 3, 1, 2);
        return where(x.le(minimum), x, changed);
    }

    private static Tensor HueRotate(Tensor x, Draw[] draws, Device device)
    {
        if (draws.All(d => d.HueTurns == 0))
        {
            return x;
        }

        var matrices = new float[draws.Length * 9];
        for (var k = 0; k < draws.Length; k++)
        {
            var angle = 2 * Math.PI * draws[k].HueTurns;
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            double[,] rotation = { { 1, 0, 0 }, { 0, cos, -sin }, { 0, sin, cos } };
            var m = Multiply(RgbFromYiq, Multiply(rotation, YiqFromRgb));
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    matrices[(k * 9) + (i * 3) + j] = (float)m[i, j];
                }
            }
        }

        var t = tensor(matrices, [draws.Length, 3, 3], device: device);
        return einsum("nij,njhw->nihw", t, x);
    }

    private static Tensor Blur(Tensor x, Draw[] draws)
    {
        if (draws.All(d => d.BlurSigma <= 0))
        {
            return x;
        }

        var images = new List<Tensor>(draws.Length);
        for (var k = 0; k < draws.Length; k++)
        {
            var image = x[k].unsqueeze(0);
            var sigma = draws[k].BlurSigma;
            if (sigma > 0)
            {
                var radius = Math.Max(1, (int)Math.Ceiling(2 * sigma));
                var weights = Enumerable.Range(-radius, (2 * radius) + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
                var total = weights.Sum();
                var kernel = tensor(weights.Select(w => (float)(w / total)).ToArray(), device: x.device);
                // Separable: a row pass then a column pass, one kernel per channel (groups = 3).
                var horizontal = kernel.reshape(1, 1, 1, -1).expand(3, 1, 1, -1).contiguous();
                var vertical = kernel.reshape(1, 1, -1, 1).expand(3, 1, -1, 1).contiguous();
                image = nn.functional.conv2d(image, horizontal, padding: [0, radius], groups: 3);
                image = nn.functional.conv2d(image, vertical, padding: [radius, 0], groups: 3);
            }

            images.Add(image);
        }

        return cat(images, 0);
    }

    private static Tensor Gray(Tensor x)
    {
        using Scalar r = 0.299f, g = 0.587f, b = 0.114f;
        return x[.., 0..1].mul(r).add(x[.., 1..2].mul(g)).add(x[.., 2..3].mul(b));
    }

    private static Tensor PerImage(IEnumerable<double> values, Device device)
    {
        var data = values.Select(v => (float)v).ToArray();
        return tensor(data, [data.Length, 1, 1, 1], device: device);
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var c = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    c[i, j] += a[i, k] * b[k, j];
                }
            }
        }

        return c;
    }

    private static double Uniform(Random random, double range) => (2 * random.NextDouble() - 1) * range;
}
