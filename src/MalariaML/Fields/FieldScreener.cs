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
        ArgumentNullException.ThrowIfNull(field);
        var segmentation = _segmenter.Segment(field, name);
        var counted = segmentation.CountedCells.ToList();
        var probabilities = new Dictionary<int, double>();
        if (counted.Count > 0)
        {
            var cropper = new CellCropper(segmentation.CellDiameter, Model.Metadata.TrainingCells?.MedianSize ?? CellAppearance.NihMedianSize);
            var images = counted.Select(c => cropper.Crop(field, c)).ToList();
            if (Options.NormalizeColor)
            {
                var source = LabColor.Statistics(images);
                images = images.Select(i => LabColor.Transfer(i, source, Model.Metadata.TrainingCells!.Color!)).ToList();
            }

            var pngs = images.Select(PngFile.Encode).ToList();
            var inputs = pngs.Select((png, i) => ImageDecoder.Decode(png, $"{name} cell {counted[i].Id}", Model.LoadOptions)).ToList();
            var scores = Model.PredictProbabilities(inputs);
            for (var i = 0; i < counted.Count; i++)
            {
                probabilities[counted[i].Id] = scores[i];
                crops?.Add((counted[i], pngs[i]));
            }
        }

        var objects = segmentation.Objects.Select(o => probabilities.TryGetValue(o.Id, out var p)
                ? new ScreenedObject(o, p, Model.LabelOf(p), p >= Model.Metadata.Threshold)
                : new ScreenedObject(o, null, ScreenedObject.Excluded, false))
            .ToList();
        return new FieldScreening(name, patient, segmentation, objects);
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
