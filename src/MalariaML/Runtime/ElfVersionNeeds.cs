using System.Buffers.Binary;
using System.Text;

namespace MalariaML.Runtime;

/// <summary>
/// One entry of an ELF file's <c>.gnu.version_r</c> section: a symbol version that the file
/// requires from one of its dependencies (what <c>readelf -V</c> prints as "Version needs").
/// </summary>
/// <param name="File">The dependency that must provide the version, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The raw <c>vna_flags</c> value; see <see cref="IsWeak"/>.</param>
/// <param name="Index">The <c>vna_other</c> version index that <c>.gnu.version</c> uses to bind symbols to this entry.</param>
/// <param name="FlagsOffset">File offset of the two-byte <c>vna_flags</c> field, so a patch touches nothing else.</param>
internal readonly record struct ElfVersionNeed(string File, string Version, ushort Flags, ushort Index, long FlagsOffset)
{
    /// <summary>
    /// Whether the dynamic loader may proceed when the dependency lacks this version
    /// (<c>VER_FLG_WEAK</c>); glibc then only complains in verbose mode.
    /// </summary>
    public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
}

/// <summary>
/// Minimal reader and patcher for the symbol-versioning sections of ELF64 little-endian shared
/// libraries (x86-64 and arm64 Linux).
/// </summary>
/// <remarks>
/// It exists so that a prebuilt native library compiled against a newer libstdc++ than the host has
/// can still be loaded when the newer version is only nominally required: marking a needed version
/// weak lets glibc skip the version check without changing any code or symbol binding. Only the
/// section headers are used (not program headers), which every library shipped in NuGet packages
/// keeps; files without them are rejected rather than guessed at.
/// </remarks>
internal sealed class ElfVersionNeeds
{
    /// <summary>The <c>VER_FLG_WEAK</c> bit of <c>vna_flags</c>.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtRela = 4;
    private const uint ShtRel = 9;
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;

    private readonly HashSet<ushort> _relocatedVersionIndexes;
    private readonly Dictionary<ushort, string[]> _symbolsByVersionIndex;

    private ElfVersionNeeds(
        IReadOnlyList<ElfVersionNeed> needs,
        IReadOnlyList<string> definitions,
        Dictionary<ushort, string[]> symbolsByVersionIndex,
        HashSet<ushort> relocatedVersionIndexes)
    {
        Needs = needs;
        Definitions = definitions;
        _symbolsByVersionIndex = symbolsByVersionIndex;
        _relocatedVersionIndexes = relocatedVersionIndexes;
    }

    /// <summary>Every version the file needs from its dependencies, in file order.</summary>
    public IReadOnlyList<ElfVersionNeed> Needs { get; }

    /// <summary>
    /// The version names the file itself defines (<c>.gnu.version_d</c>), e.g. every
    /// <c>GLIBCXX_*</c> a given libstdc++ provides; empty when it defines none.
    /// </summary>
    public IReadOnlyList<string> Definitions { get; }

    /// <summary>Reads the version sections of the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static ElfVersionNeeds ReadFile(string path) => Read(File.ReadAllBytes(path));

    /// <summary>Reads the version sections of an ELF image held in memory.</summary>
    /// <exception cref="InvalidDataException">The image is not a well-formed ELF64 little-endian file.</exception>
    public static ElfVersionNeeds Read(ReadOnlySpan<byte> image)
    {
        var sections = ReadSectionHeaders(image);

        var needs = new List<ElfVersionNeed>();
        var definitions = new List<string>();
        var symbolsByIndex = new Dictionary<ushort, string[]>();
        var relocated = new HashSet<ushort>();

        foreach (var section in sections)
        {
            if (section.Type == ShtGnuVerneed)
            {
                ReadNeeds(image, section, StringTable(sections, section), needs);
            }
            else if (section.Type == ShtGnuVerdef)
            {
                ReadDefinitions(image, section, StringTable(sections, section), definitions);
            }
        }

        // Symbol bindings and relocations are only gathered so callers can prove that weakening a
        // version is harmless: a version whose symbols no relocation uses cannot change behaviour.
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        if (versym.Type == ShtGnuVersym && versym.Link < sections.Count)
        {
            var dynsym = sections[(int)versym.Link];
            var versions = ReadVersionIndexes(image, versym);
            var dynstr = StringTable(sections, dynsym);
            var names = ReadSymbolNames(image, dynsym, dynstr);

            var groups = new Dictionary<ushort, List<string>>();
            for (var i = 1; i < Math.Min(versions.Length, names.Length); i++)
            {
                var index = (ushort)(versions[i] & 0x7fff);
                if (!groups.TryGetValue(index, out var list))
                {
                    groups[index] = list = [];
                }

                list.Add(names[i]);
            }

            foreach (var (index, list) in groups)
            {
                symbolsByIndex[index] = [.. list];
            }

            var dynsymIndex = (uint)sections.IndexOf(dynsym);
            foreach (var section in sections)
            {
                if ((section.Type == ShtRela || section.Type == ShtRel) && section.Link == dynsymIndex)
                {
                    var entrySize = section.Type == ShtRela ? 24 : 16;
                    for (long offset = 0; offset + entrySize <= section.Size; offset += entrySize)
                    {
                        var info = ReadUInt64(image, section.Offset + offset + 8);
                        var symbol = info >> 32;
                        if (symbol != 0 && symbol < (ulong)versions.Length)
                        {
                            relocated.Add((ushort)(versions[symbol] & 0x7fff));
                        }
                    }
                }
            }
        }

        return new ElfVersionNeeds(needs.AsReadOnly(), definitions.AsReadOnly(), symbolsByIndex, relocated);
    }

    /// <summary>The dynamic symbols bound to <paramref name="need"/>, i.e. why the file asks for that version.</summary>
    public IReadOnlyList<string> SymbolsRequiring(ElfVersionNeed need) =>
        _symbolsByVersionIndex.TryGetValue(need.Index, out var names) ? names : [];

    /// <summary>
    /// Whether any dynamic relocation refers to a symbol bound to <paramref name="need"/>. When none does,
    /// the requirement is nominal (such as the <c>.globl</c> reference GCC 13's <c>&lt;iostream&gt;</c>
    /// emits for <c>std::ios_base_library_init</c>) and weakening it cannot leave a call unresolved.
    /// </summary>
    public bool IsUsedByRelocation(ElfVersionNeed need) => _relocatedVersionIndexes.Contains(need.Index);

    /// <summary>
    /// Sets <see cref="VerFlagWeak"/> on every needed version selected by <paramref name="select"/>,
    /// changing only the two-byte flag fields of those entries.
    /// </summary>
    /// <param name="image">The whole ELF file, modified in place.</param>
    /// <param name="select">Chooses the entries to weaken.</param>
    /// <returns>The entries that were weakened by this call (entries already weak are not repeated).</returns>
    public static IReadOnlyList<ElfVersionNeed> MarkWeak(Span<byte> image, Func<ElfVersionNeed, bool> select)
    {
        ArgumentNullException.ThrowIfNull(select);
        var changed = new List<ElfVersionNeed>();
        foreach (var need in Read(image).Needs)
        {
            if (need.IsWeak || !select(need))
            {
                continue;
            }

            var flags = (ushort)(need.Flags | VerFlagWeak);
            BinaryPrimitives.WriteUInt16LittleEndian(image.Slice(checked((int)need.FlagsOffset), 2), flags);
            changed.Add(need with { Flags = flags });
        }

        return changed.AsReadOnly();
    }

    private readonly record struct Section(uint Name, uint Type, long Offset, long Size, uint Link, uint Info);

    private static List<Section> ReadSectionHeaders(ReadOnlySpan<byte> image)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file.");
        }

        if (image[4] != 2 || image[5] != 1)
        {
            throw new InvalidDataException("Only ELF64 little-endian files are supported.");
        }

        var shoff = ReadUInt64(image, 0x28);
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3a..]);
        long shnum = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3c..]);
        if (shoff == 0)
        {
            throw new InvalidDataException("The ELF file has no section headers.");
        }

        if (shentsize < 64 || shoff > (ulong)image.Length)
        {
            throw new InvalidDataException("Malformed ELF section header table.");
        }

        if (shnum == 0)
        {
            // Extended numbering: with 0xff00 or more sections the real count sits in section 0's sh_size.
            shnum = (long)ReadUInt64(image, (long)shoff + 32);
        }

        if ((long)shoff + (shnum * shentsize) > image.Length)
        {
            throw new InvalidDataException("The ELF section header table runs past the end of the file.");
        }

        var sections = new List<Section>((int)shnum);
        for (long i = 0; i < shnum; i++)
        {
            var at = (long)shoff + (i * shentsize);
            var section = new Section(
                Name: ReadUInt32(image, at),
                Type: ReadUInt32(image, at + 4),
                Offset: checked((long)ReadUInt64(image, at + 24)),
                Size: checked((long)ReadUInt64(image, at + 32)),
                Link: ReadUInt32(image, at + 40),
                Info: ReadUInt32(image, at + 44));

            // SHT_NOBITS (8) occupies no file space, so its offset/size need not fit in the file.
            if (section.Type != 8 && section.Type != 0 && section.Offset + section.Size > image.Length)
            {
                throw new InvalidDataException($"ELF section {i} runs past the end of the file.");
            }

            sections.Add(section);
        }

        return sections;
    }

    private static Section StringTable(List<Section> sections, Section owner)
    {
        if (owner.Link == 0 || owner.Link >= sections.Count)
        {
            throw new InvalidDataException("ELF section links to a missing string table.");
        }

        return sections[(int)owner.Link];
    }

    private static void ReadNeeds(ReadOnlySpan<byte> image, Section section, Section strtab, List<ElfVersionNeed> needs)
    {
        long at = section.Offset;
        var end = section.Offset + section.Size;

        // sh_info holds the entry count; the vn_next chain is followed too but bounded by it so a
        // corrupt chain cannot loop forever.
        for (var entry = 0u; entry < section.Info; entry++)
        {
            EnsureWithin(at, 16, end);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(image[(int)(at + 2)..]);
            var file = ReadString(image, strtab, ReadUInt32(image, at + 4));
            var auxAt = at + ReadUInt32(image, at + 8);
            var next = ReadUInt32(image, at + 12);

            for (var k = 0; k < count; k++)
            {
                EnsureWithin(auxAt, 16, end);
                var flags = BinaryPrimitives.ReadUInt16LittleEndian(image[(int)(auxAt + 4)..]);
                var index = BinaryPrimitives.ReadUInt16LittleEndian(image[(int)(auxAt + 6)..]);
                var name = ReadString(image, strtab, ReadUInt32(image, auxAt + 8));
                needs.Add(new ElfVersionNeed(file, name, flags, index, auxAt + 4));

                var auxNext = ReadUInt32(image, auxAt + 12);
                if (auxNext == 0)
                {
                    break;
                }

                auxAt += auxNext;
            }

            if (next == 0)
            {
                break;
            }

            at += next;
        }
    }

    private static void ReadDefinitions(ReadOnlySpan<byte> image, Section section, Section strtab, List<string> definitions)
    {
        long at = section.Offset;
        var end = section.Offset + section.Size;
        for (var entry = 0u; entry < section.Info; entry++)
        {
            EnsureWithin(at, 20, end);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(image[(int)(at + 2)..]);
            var auxAt = at + ReadUInt32(image, at + 12);
            var next = ReadUInt32(image, at + 16);

            // VER_FLG_BASE marks the entry naming the file itself (its soname), not a version.
            if ((flags & 0x1) == 0)
            {
                EnsureWithin(auxAt, 8, end);
                definitions.Add(ReadString(image, strtab, ReadUInt32(image, auxAt)));
            }

            if (next == 0)
            {
                break;
            }

            at += next;
        }
    }

    private static ushort[] ReadVersionIndexes(ReadOnlySpan<byte> image, Section versym)
    {
        var result = new ushort[versym.Size / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = BinaryPrimitives.ReadUInt16LittleEndian(image[(int)(versym.Offset + (2L * i))..]);
        }

        return result;
    }

    private static string[] ReadSymbolNames(ReadOnlySpan<byte> image, Section dynsym, Section dynstr)
    {
        const int entrySize = 24;
        var result = new string[dynsym.Size / entrySize];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = ReadString(image, dynstr, ReadUInt32(image, dynsym.Offset + ((long)i * entrySize)));
        }

        return result;
    }

    private static string ReadString(ReadOnlySpan<byte> image, Section strtab, uint offset)
    {
        if (offset >= strtab.Size)
        {
            throw new InvalidDataException("ELF string offset lies outside its string table.");
        }

        var start = image.Slice((int)(strtab.Offset + offset), (int)(strtab.Size - offset));
        var length = start.IndexOf((byte)0);
        return Encoding.UTF8.GetString(length < 0 ? start : start[..length]);
    }

    private static void EnsureWithin(long at, int size, long end)
    {
        if (at < 0 || at + size > end)
        {
            throw new InvalidDataException("ELF version entry lies outside its section.");
        }
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> image, long at) =>
        BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(checked((int)at), 4));

    private static ulong ReadUInt64(ReadOnlySpan<byte> image, long at) =>
        BinaryPrimitives.ReadUInt64LittleEndian(image.Slice(checked((int)at), 8));
}
