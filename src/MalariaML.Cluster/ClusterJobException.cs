namespace MalariaML.Cluster;

/// <summary>A job cannot be submitted, scored or merged; the message names the job or file and the reason.</summary>
public sealed class ClusterJobException(string message, Exception? inner = null) : MalariaMLException(message, inner);
