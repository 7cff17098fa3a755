using MalariaML.Data;
using MalariaML.Preprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MalariaML.Tests.Preprocessing;

public class PreprocessingTests
{
    [Fact]
    public void MlNet_pipeline_and_the_fast_path_give_the_same_pixels_with_nearest_sampling()
    {
        // ML.NET's ResizeImages in Fill mode samples nearest neighbour (SKFilterQuality.None), so with the same
        // sampling, and the same 32-bit pixel layout, the two paths run the same Skia code and must agree byte for byte.
        var cells = TestData.SampleCells(6);
        var mlnet = MlNetPixels(cells, 125, 125);
        var fast = new CellImageLoader(new ImageLoadOptions { Sampling = ResizeSampling.Nearest }).Decode(cells);
        Assert.Empty(fast.Skipped);
        // The tensor the networks are fed, not a re-implementation of it.
        using var batch = CellImageLoader.ToTensor(fast.Images, TorchSharp.torch.CPU, channelsLast: false);
        var tensor = batch.contiguous().data<float>().ToArray();
        var perImage = tensor.Length / cells.Count;
        for (var i = 0; i < cells.Count; i++)
        {
            Assert.Equal(mlnet[i].Length, perImage);
            // Same bytes, scaled the same way (x * (1/255f)), so the floats are identical.
            Assert.Equal(0f, MaxAbsDiff(mlnet[i], tensor.AsSpan(i * perImage, perImage).ToArray()));
        }
    }

    [Fact]
    public void Default_bilinear_sampling_differs_from_MlNet_only_by_interpolation()
    {
        // The fast path defaults to bilinear (as the article's cv2.resize); ML.NET's Fill is nearest neighbour.
        // The cells are only slightly larger than 125 px, so the mean difference stays small.
        var cells = TestData.SampleCells(6);
        var mlnet = MlNetPixels(cells, 125, 125);
        var fast = new CellImageLoader().Decode(cells);
        for (var i = 0; i < cells.Count; i++)
        {
            var planar = TestData.Planar(fast.Images[i]);
            var mean = planar.Zip(mlnet[i], (a, b) => Math.Abs(a - b)).Average();
            Assert.InRange(mean, 0.0, 0.03);
        }
    }

    [Fact]
    public void Channels_last_batches_hold_the_same_values_with_pixel_major_strides()
    {
        var images = new CellImageLoader(ImageLoadOptions.Square(40)).Decode(TestData.SampleCells(3)).Images;
        int[] order = [4, 0, 2];
        using var planar = CellImageLoader.ToTensor(images, order, null, channelsLast: false);
        using var nhwc = CellImageLoader.ToTensor(images, order, null, channelsLast: true);

        Assert.Equal(planar.shape, nhwc.shape);
        Assert.Equal(new long[] { 3 * 40 * 40, 40 * 40, 40, 1 }, planar.stride());
        // Channels-last: the channel is the fastest-moving index, then width, height, image.
        Assert.Equal(new long[] { 40 * 40 * 3, 1, 40 * 3, 3 }, nhwc.stride());
        Assert.True(planar.is_contiguous());
        Assert.Equal(planar.data<float>().ToArray(), nhwc.contiguous().data<float>().ToArray());
        // Pixel (y 5, x 7) of the second image in the batch (index 0), green channel, straight from the bytes.
        Assert.Equal(images[0].Pixels[(5 * 40 + 7) * 3 + 1] / 255f, nhwc[1, 1, 5, 7].item<float>());
    }

    [Fact]
    public void MlNet_pipeline_maps_labels_to_keys()
    {
        var ml = new MLContext(seed: 1);
        var cells = TestData.SampleCells(3);
        var data = MlNetImagePipeline.ToDataView(ml, cells);
        var transformed = MlNetImagePipeline.Create(ml).Fit(data).Transform(data);
        var keys = transformed.GetColumn<uint>(MlNetImagePipeline.LabelKeyColumn).ToArray();
        Assert.Equal(cells.Count, keys.Length);
        Assert.Equal(2, keys.Distinct().Count());
    }

    [Fact]
    public void Decoder_converts_other_formats_and_refuses_oversized_headers()
    {
        var cell = TestData.SampleCells(1)[0];
        using var bitmap = SkiaSharp.SKBitmap.Decode(cell.Path);
        using var gray = new SkiaSharp.SKBitmap(bitmap.Width, bitmap.Height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque);
        Assert.True(bitmap.CopyTo(gray, SkiaSharp.SKColorType.Gray8));
        var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90).ToArray();
        var grayPng = gray.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100).ToArray();
        var options = ImageLoadOptions.Square(64);
        Assert.Equal(64 * 64 * 3, ImageDecoder.Decode(jpeg, "cell.jpg", options).Pixels.Length);
        var g = ImageDecoder.Decode(grayPng, "gray.png", options);
        Assert.Equal(g.Pixels[3 * 2000], g.Pixels[3 * 2000 + 1]);
        var small = options with { MaxImagePixels = 100 };
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(File.ReadAllBytes(cell.Path), "big.png", small));
        Assert.Contains("over the limit", e.Reason);
        Assert.Equal("big.png", e.Source);
    }

    private static float[][] MlNetPixels(IReadOnlyList<CellImage> cells, int w, int h)
    {
        var ml = new MLContext(seed: 1);
        var data = MlNetImagePipeline.ToDataView(ml, cells);
        var transformed = MlNetImagePipeline.Create(ml, new ImageLoadOptions { Width = w, Height = h }).Fit(data).Transform(data);
        return transformed.GetColumn<VBuffer<float>>(MlNetImagePipeline.PixelsColumn).Select(v => v.DenseValues().ToArray()).ToArray();
    }

    private static float MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
