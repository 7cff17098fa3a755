namespace MalariaML.Export;

/// <summary>
/// The <c>metadata_props</c> an exported ONNX file carries, so that someone with only the file can feed it: decode the
/// image, resize it to <see cref="InputSize"/> with <see cref="Resize"/>, lay it out as <see cref="Layout"/> in
/// <see cref="ChannelOrder"/>, multiply by <see cref="Scale"/>, subtract <see cref="Mean"/> and divide by
/// <see cref="Std"/> when they are not empty, run, and call the cell positive when <see cref="Output"/> &gt;=
/// <see cref="Threshold"/>.
/// </summary>
internal static class OnnxMetadataKeys
{
    /// <summary><c>NCHW</c>: the input is (batch, channel, height, width).</summary>
    public const string Layout = "layout";

    /// <summary><c>RGB</c>.</summary>
    public const string ChannelOrder = "channel_order";

    /// <summary>Factor applied to 0-255 pixel values before anything else: 1/255 written as a decimal.</summary>
    public const string Scale = "scale";

    /// <summary>Per-channel means to subtract after scaling, comma-separated in channel order; empty when unused (always, today: see <see cref="Normalization"/>).</summary>
    public const string Mean = "mean";

    /// <summary>Per-channel standard deviations to divide by after subtracting <see cref="Mean"/>; empty when unused.</summary>
    public const string Std = "std";

    /// <summary>What the graph itself does to its input before the network (for reading only; a feeder does nothing for it).</summary>
    public const string Normalization = "normalization";

    /// <summary><c>bilinear</c> or <c>nearest</c>: how the model's training images were resized (whole image, no crop, aspect not kept).</summary>
    public const string Resize = "resize";

    /// <summary>Input width x height in pixels, e.g. <c>125x125</c>.</summary>
    public const string InputSize = "input_size";

    /// <summary>Name of the graph input (<c>image</c>).</summary>
    public const string InputName = "input_name";

    /// <summary>What the output named here holds: its name, <c>probability</c> (of the positive class, after the sigmoid).</summary>
    public const string Output = "output";

    /// <summary>Name of the second output, the logit before the sigmoid (<c>logit</c>).</summary>
    public const string LogitOutput = "logit_output";

    /// <summary>The two class names, negative first, comma-separated.</summary>
    public const string ClassNames = "class_names";

    /// <summary>The class a probability refers to, e.g. <c>Parasitized</c>.</summary>
    public const string PositiveClass = "positive_class";

    /// <summary>Probability at or above which a cell is called positive.</summary>
    public const string Threshold = "threshold";

    /// <summary>MalariaML model kind, e.g. <c>basic-cnn</c>.</summary>
    public const string ModelKind = "model_kind";

    /// <summary>Version of MalariaML that trained the model.</summary>
    public const string LibraryVersion = "library_version";
}
