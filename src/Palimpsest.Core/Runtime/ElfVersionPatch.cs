using System.Buffers.Binary;
using System.Text;

namespace Palimpsest.Core.Runtime;

/// <summary>What <see cref="ElfVersionPatch.Patch"/> did to an ELF image.</summary>
public enum ElfPatchOutcome
{
    /// <summary>The version requirement was made weak and its symbols unversioned; the bytes changed.</summary>
    Patched,

    /// <summary>The requirement was already weak and no symbol referred to it; the bytes are unchanged.</summary>
    AlreadyPatched,

    /// <summary>The file does not require the version at all; the bytes are unchanged.</summary>
    NotRequired,
}

/// <summary>One version requirement (an <c>Elf64_Vernaux</c> entry) in an ELF file's <c>.gnu.version_r</c> section.</summary>
/// <param name="Library">The library the version is needed from (<c>vn_file</c>), e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name (<c>vna_name</c>), e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Index">The version index (<c>vna_other</c>) that <c>.gnu.version</c> entries use to refer to it.</param>
/// <param name="Flags">The raw <c>vna_flags</c>; see <see cref="ElfVersionPatch.WeakFlag"/>.</param>
public sealed record ElfVersionNeed(string Library, string Version, ushort Index, ushort Flags)
{
    /// <summary>True when <c>VER_FLG_WEAK</c> is set, so the dynamic loader tolerates a library that lacks the version.</summary>
    public bool IsWeak => (Flags & ElfVersionPatch.WeakFlag) != 0;
}

/// <summary>
/// Reads and patches GNU symbol versioning in 64-bit little-endian ELF shared objects, in managed code.
/// <para>
/// Why: TorchSharp 0.107's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> (GCC 13's libstdc++) for a single
/// symbol it only references, <c>std::ios_base_library_init</c>. On systems with an older libstdc++ (Debian 12 ships
/// 3.4.30) the library then fails to load. <see cref="Patch"/> marks that requirement weak (<c>VER_FLG_WEAK</c> in its
/// <c>vna_flags</c>) and makes that one symbol unversioned, and it refuses when any other symbol needs the version, so a
/// build that really uses GCC 13 features fails loudly instead of crashing later.
/// </para>
/// </summary>
public static class ElfVersionPatch
{
    /// <summary>The version requirement that <see cref="Patch"/> weakens by default.</summary>
    public const string DefaultVersionName = "GLIBCXX_3.4.32";

    /// <summary>The only symbol allowed to use <see cref="DefaultVersionName"/> by default (<c>std::ios_base_library_init()</c>).</summary>
    public const string DefaultAllowedSymbol = "_ZSt21ios_base_library_initv";

    /// <summary><c>VER_FLG_WEAK</c>: a missing version is not fatal to the dynamic loader.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtStrtab = 3;
    private const uint ShtDynsym = 11;
    private const uint ShtNobits = 8;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const int HeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int SymbolSize = 24;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const ushort VersymGlobal = 1;
    private const ushort VersymHiddenMask = 0x7fff;

    /// <summary>
    /// Weakens the requirement on <paramref name="versionName"/> in <paramref name="elf"/>, in place: ORs
    /// <see cref="WeakFlag"/> into every matching <c>vna_flags</c> and sets the <c>.gnu.version</c> entry of each symbol
    /// bound to it to 1 (global). Nothing is written unless the whole check passes. Patching twice is harmless: the second
    /// call returns <see cref="ElfPatchOutcome.AlreadyPatched"/> and leaves the bytes unchanged.
    /// </summary>
    /// <param name="elf">The complete contents of an ELF64 little-endian file; mutated when the result is <see cref="ElfPatchOutcome.Patched"/>.</param>
    /// <param name="versionName">The version requirement to weaken.</param>
    /// <param name="allowedSymbol">The only dynamic symbol allowed to be bound to <paramref name="versionName"/>.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="InvalidDataException">
    /// The bytes are not a well-formed ELF64 little-endian file with dynamic symbol versioning, or a symbol other than
    /// <paramref name="allowedSymbol"/> requires <paramref name="versionName"/>.
    /// </exception>
    public static ElfPatchOutcome Patch(byte[] elf, string versionName = DefaultVersionName, string allowedSymbol = DefaultAllowedSymbol)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentException.ThrowIfNullOrEmpty(versionName);
        ArgumentException.ThrowIfNullOrEmpty(allowedSymbol);

        var image = new ElfImage(elf);
        var targets = image.ReadVersionNeeds().Where(n => n.Need.Version == versionName).ToList();
        if (targets.Count == 0)
            return ElfPatchOutcome.NotRequired;

        var indices = targets.Select(t => t.Need.Index).ToHashSet();
        var bound = image.ReadVersionedSymbols().Where(s => indices.Contains(s.VersionIndex)).ToList();
        var others = bound.Where(s => s.Name != allowedSymbol).Select(s => s.Name).Distinct().ToList();
        if (others.Count > 0)
        {
            throw new InvalidDataException(
                $"{others.Count} symbol(s) other than '{allowedSymbol}' require {versionName}: " +
                $"{string.Join(", ", others.Take(10))}{(others.Count > 10 ? ", ..." : "")}. " +
                $"This build really needs a libstdc++ that provides {versionName}; refusing to weaken the requirement.");
        }

        if (bound.Count == 0 && targets.All(t => t.Need.IsWeak))
            return ElfPatchOutcome.AlreadyPatched;

        foreach (var target in targets)
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(target.FlagsOffset), (ushort)(target.Need.Flags | WeakFlag));
        foreach (var symbol in bound)
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(symbol.VersymOffset), VersymGlobal);
        return ElfPatchOutcome.Patched;
    }

    /// <summary>
    /// Reads <paramref name="inputPath"/>, applies <see cref="Patch"/> and writes the result to <paramref name="outputPath"/>
    /// through a temporary file in the same directory and a rename, so readers never see a partial file and a hard link
    /// to the input (for example into the NuGet cache) is replaced rather than written through. The output is written
    /// whatever the outcome, except when both paths name the same file and nothing changed. Unix file permissions are copied.
    /// </summary>
    /// <param name="inputPath">The ELF file to read; never modified unless it is also <paramref name="outputPath"/>.</param>
    /// <param name="outputPath">Where to write the (possibly) patched copy; its directory must exist.</param>
    /// <param name="versionName">The version requirement to weaken.</param>
    /// <param name="allowedSymbol">The only dynamic symbol allowed to be bound to <paramref name="versionName"/>.</param>
    /// <returns>What <see cref="Patch"/> did.</returns>
    /// <exception cref="InvalidDataException">The input is malformed or needs the version for other symbols; the message names the file.</exception>
    public static ElfPatchOutcome PatchFile(string inputPath, string outputPath,
        string versionName = DefaultVersionName, string allowedSymbol = DefaultAllowedSymbol)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);

        byte[] bytes = File.ReadAllBytes(inputPath);
        ElfPatchOutcome outcome;
        try
        {
            outcome = Patch(bytes, versionName, allowedSymbol);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{inputPath}: {ex.Message}", ex);
        }

        bool sameFile = string.Equals(Path.GetFullPath(inputPath), Path.GetFullPath(outputPath), StringComparison.Ordinal);
        if (outcome == ElfPatchOutcome.Patched || !sameFile)
            WriteAtomically(outputPath, bytes, inputPath);
        return outcome;
    }

    /// <summary>Lists every version requirement (<c>Elf64_Vernaux</c>) of <paramref name="elf"/>, in file order.</summary>
    /// <param name="elf">The complete contents of an ELF64 little-endian file; not modified.</param>
    /// <returns>The requirements; empty when the file has no <c>.gnu.version_r</c> section.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(byte[] elf)
    {
        ArgumentNullException.ThrowIfNull(elf);
        return new ElfImage(elf).ReadVersionNeeds().Select(n => n.Need).ToList();
    }

    /// <summary>Names the dynamic symbols whose <c>.gnu.version</c> entry refers to the requirement <paramref name="versionName"/>.</summary>
    /// <param name="elf">The complete contents of an ELF64 little-endian file; not modified.</param>
    /// <param name="versionName">A version requirement name, e.g. <see cref="DefaultVersionName"/>.</param>
    /// <returns>The symbol names in <c>.dynsym</c> order; empty when nothing requires the version.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlyList<string> SymbolsRequiring(byte[] elf, string versionName)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentException.ThrowIfNullOrEmpty(versionName);
        var image = new ElfImage(elf);
        var indices = image.ReadVersionNeeds().Where(n => n.Need.Version == versionName).Select(n => n.Need.Index).ToHashSet();
        if (indices.Count == 0)
            return [];
        return image.ReadVersionedSymbols().Where(s => indices.Contains(s.VersionIndex)).Select(s => s.Name).ToList();
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> via a unique temporary file and an atomic rename.</summary>
    internal static void WriteAtomically(string path, byte[] bytes, string? copyModeFrom)
    {
        string fullPath = Path.GetFullPath(path);
        string temp = $"{fullPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            if (copyModeFrom is not null && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(copyModeFrom));
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    private readonly record struct Section(int Index, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);

    private readonly record struct NeedEntry(ElfVersionNeed Need, int FlagsOffset);

    private readonly record struct VersionedSymbol(string Name, ushort VersionIndex, int VersymOffset);

    /// <summary>A validated view of the section headers of an ELF64 little-endian image.</summary>
    private sealed class ElfImage
    {
        private readonly byte[] _bytes;
        private readonly Section[] _sections;

        public ElfImage(byte[] bytes)
        {
            _bytes = bytes;
            ReadOnlySpan<byte> magic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];
            if (bytes.Length == 0)
                throw new InvalidDataException("Not an ELF file: it is empty.");
            if (bytes.Length < magic.Length || !bytes.AsSpan(0, magic.Length).SequenceEqual(magic))
            {
                string seen = Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, magic.Length)));
                throw new InvalidDataException($"Not an ELF file: starts with 0x{seen}, expected 0x7F454C46 ('\\x7fELF').");
            }
            if (bytes.Length < HeaderSize)
                throw new InvalidDataException($"Truncated ELF file: {bytes.Length} bytes, shorter than the {HeaderSize}-byte ELF64 header.");
            if (bytes[4] != 2)
                throw new InvalidDataException($"Unsupported ELF class {bytes[4]}: only ELFCLASS64 (2) is supported.");
            if (bytes[5] != 1)
                throw new InvalidDataException($"Unsupported ELF data encoding {bytes[5]}: only little-endian (ELFDATA2LSB, 1) is supported.");

            ulong shoff = U64(0x28);
            ushort shentsize = U16(0x3A);
            ulong shnum = U16(0x3C);
            if (shoff == 0)
                throw new InvalidDataException("ELF file has no section header table (e_shoff is 0); cannot find its version sections.");
            if (shentsize != SectionHeaderSize)
                throw new InvalidDataException($"Unexpected ELF64 section header size {shentsize}, expected {SectionHeaderSize}.");
            RequireRange(shoff, SectionHeaderSize, "the first section header");
            if (shnum == 0)
                shnum = U64(checked((int)shoff) + 32); // extended numbering: section 0's sh_size holds the count
            if (shnum > (ulong)bytes.Length / SectionHeaderSize)
                throw new InvalidDataException($"Truncated ELF file: {shnum} section headers cannot fit in {bytes.Length} bytes.");
            RequireRange(shoff, shnum * SectionHeaderSize, "the section header table");

            _sections = new Section[shnum];
            for (int i = 0; i < _sections.Length; i++)
            {
                int at = (int)shoff + i * SectionHeaderSize;
                _sections[i] = new Section(i, U32(at + 4), U64(at + 24), U64(at + 32), U32(at + 40), U32(at + 44), U64(at + 56));
            }
        }

        /// <summary>Walks the verneed chain; empty when the file has no <c>.gnu.version_r</c>.</summary>
        public List<NeedEntry> ReadVersionNeeds()
        {
            var result = new List<NeedEntry>();
            var verneeds = _sections.Where(s => s.Type == ShtGnuVerneed).ToList();
            if (verneeds.Count == 0)
                return result;
            if (verneeds.Count > 1)
                throw new InvalidDataException($"ELF file has {verneeds.Count} SHT_GNU_verneed sections, expected at most one.");

            Section verneed = WithData(verneeds[0], ".gnu.version_r");
            Section strtab = LinkedStringTable(verneed, ".gnu.version_r");
            ulong end = verneed.Offset + verneed.Size;
            ulong position = verneed.Offset;
            ulong maxEntries = verneed.Size / VerneedSize;
            for (ulong n = 0; n < maxEntries; n++)
            {
                RequireWithin(position, VerneedSize, end, "an Elf64_Verneed entry");
                int at = (int)position;
                ushort count = U16(at + 2);
                string library = ReadString(strtab, U32(at + 4));
                ulong aux = position + U32(at + 8);
                for (int k = 0; k < count; k++)
                {
                    RequireWithin(aux, VernauxSize, end, "an Elf64_Vernaux entry");
                    int a = (int)aux;
                    var need = new ElfVersionNeed(library, ReadString(strtab, U32(a + 8)), U16(a + 6), U16(a + 4));
                    result.Add(new NeedEntry(need, a + 4));
                    uint nextAux = U32(a + 12);
                    if (nextAux == 0)
                        break;
                    aux += nextAux;
                }
                uint next = U32(at + 12);
                if (next == 0)
                    return result;
                position += next;
            }
            throw new InvalidDataException("Malformed .gnu.version_r: its Elf64_Verneed chain does not end inside the section.");
        }

        /// <summary>Pairs every <c>.dynsym</c> entry with its <c>.gnu.version</c> index (hidden bit removed).</summary>
        public IEnumerable<VersionedSymbol> ReadVersionedSymbols()
        {
            var dynsyms = _sections.Where(s => s.Type == ShtDynsym).ToList();
            if (dynsyms.Count != 1)
                throw new InvalidDataException($"ELF file has {dynsyms.Count} .dynsym (SHT_DYNSYM) sections, expected exactly one.");
            var versyms = _sections.Where(s => s.Type == ShtGnuVersym).ToList();
            if (versyms.Count != 1)
                throw new InvalidDataException($"ELF file has {versyms.Count} .gnu.version (SHT_GNU_versym) sections, expected exactly one.");

            Section dynsym = WithData(dynsyms[0], ".dynsym");
            Section versym = WithData(versyms[0], ".gnu.version");
            if (dynsym.EntrySize != 0 && dynsym.EntrySize != SymbolSize)
                throw new InvalidDataException($"Unexpected .dynsym entry size {dynsym.EntrySize}, expected {SymbolSize}.");
            ulong symbolCount = dynsym.Size / SymbolSize;
            if (versym.Size != symbolCount * 2)
                throw new InvalidDataException($".gnu.version has {versym.Size / 2} entries but .dynsym has {symbolCount} symbols.");
            Section strtab = LinkedStringTable(dynsym, ".dynsym");

            var symbols = new List<VersionedSymbol>((int)symbolCount);
            for (ulong i = 0; i < symbolCount; i++)
            {
                int versymAt = (int)(versym.Offset + i * 2);
                int symbolAt = (int)(dynsym.Offset + i * SymbolSize);
                ushort version = (ushort)(U16(versymAt) & VersymHiddenMask);
                symbols.Add(new VersionedSymbol(ReadString(strtab, U32(symbolAt)), version, versymAt));
            }
            return symbols;
        }

        private Section WithData(Section section, string name)
        {
            if (section.Type == ShtNobits)
                throw new InvalidDataException($"ELF section {name} (#{section.Index}) has no file data.");
            RequireRange(section.Offset, section.Size, $"section {name} (#{section.Index})");
            return section;
        }

        private Section LinkedStringTable(Section owner, string ownerName)
        {
            if (owner.Link == 0 || owner.Link >= _sections.Length)
                throw new InvalidDataException($"ELF section {ownerName} links to section #{owner.Link}, which does not exist.");
            Section strtab = _sections[owner.Link];
            if (strtab.Type != ShtStrtab)
                throw new InvalidDataException($"ELF section {ownerName} links to section #{owner.Link} of type 0x{strtab.Type:x}, expected a string table.");
            return WithData(strtab, $"string table of {ownerName}");
        }

        private string ReadString(Section strtab, uint offset)
        {
            if (offset >= strtab.Size)
                throw new InvalidDataException($"ELF string offset {offset} lies outside its {strtab.Size}-byte string table (section #{strtab.Index}).");
            var span = _bytes.AsSpan((int)(strtab.Offset + offset), (int)(strtab.Size - offset));
            int length = span.IndexOf((byte)0);
            if (length < 0)
                throw new InvalidDataException($"ELF string at offset {offset} of section #{strtab.Index} is not NUL-terminated.");
            return Encoding.UTF8.GetString(span[..length]);
        }

        private void RequireRange(ulong offset, ulong size, string what)
        {
            ulong length = (ulong)_bytes.Length;
            if (size > length || offset > length - size)
                throw new InvalidDataException($"Truncated ELF file: {what} spans bytes {offset}..{offset + size} but the file has {length} bytes.");
        }

        private static void RequireWithin(ulong offset, ulong size, ulong end, string what)
        {
            if (offset > end || end - offset < size)
                throw new InvalidDataException($"Malformed .gnu.version_r: {what} at byte {offset} runs past the section end at byte {end}.");
        }

        private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(at, 2));

        private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(at, 4));

        private ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(at, 8));
    }
}
