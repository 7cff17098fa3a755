using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Preprocessing;

namespace MalariaML.Fields;

/// <summary>
/// Screens whole field photographs with a trained model: segment, cut each whole red cell out like a training cell,
/// classify, count. The crops go through the same PNG decoding and resizing as cell files, so a crop saved with
/// <c>malaria screen --save-crops</c> scores the same with <c>malaria predict</c>. Safe to use from one thread at a time.
/// </summary>
public sealed class FieldScreener
{
    private readonly FieldSegmenter _segmenter;

    /// <summary>Creates a screener that classifies with <paramref name="model"/>.</summary>
    public FieldScreener(MalariaModel model, FieldScreeningOptions? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new FieldScreeningOptions();
        _segmenter = new FieldSegmenter(Options.Segmentation);
        if (Options.NormalizeColor && model.Metadata.TrainingCells?.Color is null)
        {
            throw new MalariaMLException("colour normalisation needs the training cells' colour statistics, which this model file does not hold (train it again with this version, in an app that ships OpenCV)");
        }
    }

    /// <summary>The classifier.</summary>
    public MalariaModel Model { get; }

    /// <summary>The settings in use.</summary>
    public FieldScreeningOptions Options { get; }

    /// <summary>Screens one decoded field.</summary>
    /// <param name="field">The field image.</param>
    /// <param name="name">Field name used in results.</param>
    /// <param name="patient">Patient the field belongs to.</param>
    /// <param name="crops">If given, receives the PNG-encoded crop of every counted cell, in object order.</param>
    internal FieldScreening Screen(RgbImage field, string name, string patient, IList<(FieldObject Object, byte[] Png)>? crops = null)
    {
        var cut = Cut(field, name);
        var inputs = cut.Crops.Select(c => ImageDecoder.Decode(c.Png, $"{name} cell {c.Object.Id}", Model.LoadOptions)).ToList();
        IReadOnlyList<float> scores = inputs.Count == 0 ? [] : Model.PredictProbabilities(inputs);
        foreach (var crop in cut.Crops)
        {
            crops?.Add(crop);
        }

        return Classify(cut, patient, scores.Select(s => (double)s).ToList());
    }

    /// <summary>
    /// The first half of <see cref="Screen"/>: segments a field and cuts every counted cell out as a PNG, as the model
    /// must see it, without classifying. For callers that score the crops elsewhere (the server scores them in its
    /// shared queue) and then call <see cref="Classify"/>.
    /// </summary>
    /// <exception cref="MalariaMLException">OpenCV's native library cannot be loaded.</exception>
    public FieldCut Cut(RgbImage field, string name)
    {
        ArgumentNullException.ThrowIfNull(field);
        var segmentation = _segmenter.Segment(field, name);
        var counted = segmentation.CountedCells.ToList();
        if (counted.Count == 0)
        {
            return new FieldCut(name, segmentation, []);
        }

        var cropper = new CellCropper(segmentation.CellDiameter, Model.Metadata.TrainingCells?.MedianSize ?? CellAppearance.NihMedianSize);
        var images = counted.Select(c => cropper.Crop(field, c)).ToList();
        if (Options.NormalizeColor)
        {
            var source = LabColor.Statistics(images);
            images = images.Select(i => LabColor.Transfer(i, source, Model.Metadata.TrainingCells!.Color!)).ToList();
        }

        return new FieldCut(name, segmentation, counted.Select((c, i) => (c, PngFile.Encode(images[i]))).ToList());
    }

    /// <summary>The second half of <see cref="Screen"/>: the field's calls from the probabilities of its crops.</summary>
    /// <param name="cut">The field as <see cref="Cut"/> returned it.</param>
    /// <param name="patient">Patient the field belongs to.</param>
    /// <param name="probabilities">Probability of the positive class of each crop, in the order of <see cref="FieldCut.Crops"/>.</param>
    public FieldScreening Classify(FieldCut cut, string patient, IReadOnlyList<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(cut);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count != cut.Crops.Count)
        {
            throw new ArgumentException($"{cut.Crops.Count} crops but {probabilities.Count} probabilities", nameof(probabilities));
        }

        var byId = new Dictionary<int, double>();
        for (var i = 0; i < cut.Crops.Count; i++)
        {
            byId[cut.Crops[i].Object.Id] = probabilities[i];
        }

        var objects = cut.Segmentation.Objects.Select(o => byId.TryGetValue(o.Id, out var p)
                ? new ScreenedObject(o, p, Model.LabelOf(p), p >= Model.Metadata.Threshold)
                : new ScreenedObject(o, null, ScreenedObject.Excluded, false))
            .ToList();
        return new FieldScreening(cut.Name, patient, cut.Segmentation, objects);
    }

    /// <summary>Whether fields can be screened in this process (OpenCV's native library loads); if not, <paramref name="reason"/> says why and what to install.</summary>
    public static bool IsAvailable(out string? reason)
    {
        try
        {
            Runtime.OpenCvRuntime.EnsureLoaded();
            reason = null;
            return true;
        }
        catch (MalariaMLException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Screens field files; a file that is not a usable image is skipped with its reason, never fatal.
    /// </summary>
    /// <param name="paths">Field image files.</param>
    /// <param name="patients">Which patient each field belongs to; default: its folder.</param>
    /// <param name="progress">Receives the number of fields done.</param>
    /// <param name="cancellationToken">Stops between fields.</param>
    public ScreeningResult ScreenFiles(IReadOnlyList<string> paths, FieldPatients? patients = null, IProgress<WorkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        patients ??= new FieldPatients();
        var fields = new List<FieldScreening>();
        var skipped = new List<SkippedFile>();
        for (var i = 0; i < paths.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new WorkProgress("screening", i, paths.Count));
            if (TryDecode(paths[i], out var image, out var reason))
            {
                fields.Add(Screen(image!, Path.GetFileName(paths[i]), patients.Of(paths[i])));
            }
            else
            {
                skipped.Add(new SkippedFile(paths[i], reason!));
            }
        }

        progress?.Report(new WorkProgress("screening", paths.Count, paths.Count));
        return new ScreeningResult(fields, PatientScreening.Summarise(fields, Options.MinCells), skipped);
    }

    /// <summary>Decodes a field file within the segmentation's pixel limit; <c>false</c> with a reason for unusable files.</summary>
    internal bool TryDecode(string path, out RgbImage? image, out string? reason)
    {
        try
        {
            image = ImageDecoder.DecodeFile(path, Options.Segmentation.MaxImagePixels);
            reason = null;
            return true;
        }
        catch (InvalidImageException e)
        {
            image = null;
            reason = e.Reason;
            return false;
        }
    }
}
