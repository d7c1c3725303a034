using System.Buffers.Binary;
using Palimpsest.Core.Runtime;
using TorchSharp;
using Xunit;

namespace Palimpsest.Core.Tests.Runtime;

/// <summary>
/// Checks <see cref="ElfVersionPatch"/> on copies of the real libLibTorchSharp.so (Linux only) and on malformed input.
/// The section lookup in <see cref="FindSection"/> is written independently of the code under test.
/// </summary>
public sealed class ElfVersionPatchTests
{
    private const string Version = ElfVersionPatch.DefaultVersionName;
    private const string Allowed = ElfVersionPatch.DefaultAllowedSymbol;

    [Fact]
    public void Patch_RealLibrary_IsPatchedOnceThenAlreadyPatched()
    {
        if (!OperatingSystem.IsLinux())
            return;
        byte[] elf = File.ReadAllBytes(FindLibTorchSharp());
        byte[] original = (byte[])elf.Clone();

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionPatch.Patch(elf));
        Assert.NotEqual(original, elf);
        byte[] once = (byte[])elf.Clone();

        Assert.Equal(ElfPatchOutcome.AlreadyPatched, ElfVersionPatch.Patch(elf));
        Assert.Equal(once, elf);
    }

    [Fact]
    public void Patch_RealLibrary_MakesOnlyTheTargetWeakAndUnbindsTheSymbol()
    {
        if (!OperatingSystem.IsLinux())
            return;
        byte[] elf = File.ReadAllBytes(FindLibTorchSharp());
        var before = ElfVersionPatch.ReadVersionNeeds(elf);
        Assert.Equal(new[] { Allowed }, ElfVersionPatch.SymbolsRequiring(elf, Version));
        Assert.False(Assert.Single(before, n => n.Version == Version).IsWeak);

        ElfVersionPatch.Patch(elf);

        var after = ElfVersionPatch.ReadVersionNeeds(elf);
        var target = Assert.Single(after, n => n.Version == Version);
        Assert.True(target.IsWeak);
        Assert.Equal(ElfVersionPatch.WeakFlag, (ushort)(target.Flags & ElfVersionPatch.WeakFlag));
        Assert.Equal("libstdc++.so.6", target.Library);
        Assert.Empty(ElfVersionPatch.SymbolsRequiring(elf, Version));
        Assert.Equal(before.Where(n => n.Version != Version), after.Where(n => n.Version != Version));
    }

    [Fact]
    public void Patch_SecondSymbolNeedingTheVersion_IsRefusedAndLeavesBytesUnchanged()
    {
        if (!OperatingSystem.IsLinux())
            return;
        byte[] elf = File.ReadAllBytes(FindLibTorchSharp());
        ushort index = Assert.Single(ElfVersionPatch.ReadVersionNeeds(elf), n => n.Version == Version).Index;
        var (versymOffset, versymSize) = FindSection(elf, 0x6fffffff); // SHT_GNU_versym
        int victim = Enumerable.Range(1, versymSize / 2 - 1)
            .First(i => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(versymOffset + 2 * i)) > 1
                        && BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(versymOffset + 2 * i)) != index);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(versymOffset + 2 * victim), index);
        var bound = ElfVersionPatch.SymbolsRequiring(elf, Version);
        string other = Assert.Single(bound, name => name != Allowed);
        byte[] tampered = (byte[])elf.Clone();

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch(elf));

        Assert.Contains(other, ex.Message);
        Assert.Contains(Version, ex.Message);
        Assert.Equal(tampered, elf);
    }

    [Fact]
    public void Patch_OtherVersionName_IsNotRequiredAndLeavesBytesUnchanged()
    {
        if (!OperatingSystem.IsLinux())
            return;
        byte[] elf = File.ReadAllBytes(FindLibTorchSharp());
        byte[] original = (byte[])elf.Clone();

        Assert.Equal(ElfPatchOutcome.NotRequired, ElfVersionPatch.Patch(elf, versionName: "GLIBCXX_9.9.99"));
        Assert.Equal(original, elf);
    }

    [Fact]
    public void PatchFile_WritesPatchedCopyAndLeavesInputUnchanged()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string directory = Directory.CreateTempSubdirectory("palimpsest-elf-").FullName;
        try
        {
            string input = Path.Combine(directory, "input.so");
            string output = Path.Combine(directory, "output.so");
            File.Copy(FindLibTorchSharp(), input);
            byte[] original = File.ReadAllBytes(input);

            Assert.Equal(ElfPatchOutcome.Patched, ElfVersionPatch.PatchFile(input, output));
            Assert.Equal(original, File.ReadAllBytes(input));
            byte[] expected = (byte[])original.Clone();
            ElfVersionPatch.Patch(expected);
            Assert.Equal(expected, File.ReadAllBytes(output));

            Assert.Equal(ElfPatchOutcome.AlreadyPatched, ElfVersionPatch.PatchFile(output, output));
            Assert.Equal(expected, File.ReadAllBytes(output));
            Assert.Equal(new[] { input, output }, Directory.GetFiles(directory).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Patch_TruncatedRealLibrary_Throws()
    {
        if (!OperatingSystem.IsLinux())
            return;
        byte[] head = File.ReadAllBytes(FindLibTorchSharp())[..4096]; // valid header, section table cut off

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch(head));
        Assert.Contains("Truncated", ex.Message);
    }

    [Fact]
    public void Patch_RandomBytes_Throws()
    {
        byte[] bytes = new byte[4096];
        new Random(20261127).NextBytes(bytes);
        bytes[0] = 0; // never the ELF magic, whatever the generator gives

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch(bytes));
        Assert.Contains("Not an ELF file", ex.Message);
    }

    [Fact]
    public void Patch_NonElf64Bytes_Throws()
    {
        byte[] bytes = new byte[64];
        "#!/bin/sh\necho this is not an ELF file\n"u8.CopyTo(bytes);

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch(bytes));
        Assert.Contains("Not an ELF file", ex.Message);
    }

    [Fact]
    public void Patch_TruncatedHeader_Throws()
    {
        byte[] bytes = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0];

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch(bytes));
        Assert.Contains("Truncated", ex.Message);
    }

    [Theory]
    [InlineData(1, 1, "ELFCLASS64")]   // 32-bit
    [InlineData(2, 2, "little-endian")] // big-endian
    public void Patch_UnsupportedElfKind_Throws(byte elfClass, byte dataEncoding, string expected)
    {
        byte[] bytes = new byte[64];
        bytes[0] = 0x7f;
        bytes[1] = (byte)'E';
        bytes[2] = (byte)'L';
        bytes[3] = (byte)'F';
        bytes[4] = elfClass;
        bytes[5] = dataEncoding;

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch(bytes));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Patch_EmptyArray_Throws()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.Patch([]));
    }

    /// <summary>The package's libLibTorchSharp.so: beside the test's TorchSharp.dll, else in the NuGet cache.</summary>
    private static string FindLibTorchSharp()
    {
        const string file = "libLibTorchSharp.so";
        const string native = "runtimes/linux-x64/native";
        var assembly = typeof(torch).Assembly;
        string assemblyDir = Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory;
        string nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = assembly.GetName().Version?.ToString(3) ?? "0.107.0";
        string[] candidates =
        [
            Path.Combine(assemblyDir, native, file),
            Path.Combine(assemblyDir, file),
            Path.Combine(assemblyDir, "..", "..", native, file),
            Path.Combine(nugetRoot, "torchsharp", version, native, file),
        ];
        string? found = candidates.FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"{file} not found; looked in: {string.Join(", ", candidates)}");
        return found;
    }

    /// <summary>Offset and size of the first section of <paramref name="type"/>, read straight from the ELF64 headers.</summary>
    private static (int Offset, int Size) FindSection(byte[] elf, uint type)
    {
        int shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        for (int i = 0; i < shnum; i++)
        {
            var header = elf.AsSpan(shoff + 64 * i, 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == type)
                return ((int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]), (int)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]));
        }
        Assert.Fail($"No section of type 0x{type:x} in the ELF file.");
        return default;
    }
}
