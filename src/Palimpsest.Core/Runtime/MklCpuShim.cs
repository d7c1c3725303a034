using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Palimpsest.Core.Runtime;

/// <summary>
/// libtorch's bundled MKL asks <c>mkl_serv_intel_cpu</c> whether the processor is Intel's, and on any other vendor
/// takes slower generic code paths even where the processor has the same instructions (an AMD Zen 4 has AVX-512).
/// libtorch_cpu.so calls that function through its procedure linkage table, so a library in the global symbol scope
/// that defines it first answers for it. This class writes such a library, a 400-byte ELF shared object whose two
/// functions return 1, and loads it with <c>RTLD_GLOBAL</c> before libtorch. It is applied only on AMD processors with
/// AVX-512 (where it was measured to help), and <c>PALIMPSEST_MKL_CPU=off</c> turns it off (<c>on</c> forces it).
/// Results stay deterministic with it on or off; they are not bit-identical across the switch.
/// </summary>
public static class MklCpuShim
{
    /// <summary>The environment variable: <c>auto</c> (default), <c>off</c> or <c>on</c>.</summary>
    public const string Variable = "PALIMPSEST_MKL_CPU";

    /// <summary>The functions the shim defines, each returning 1.</summary>
    public static IReadOnlyList<string> Symbols { get; } = ["mkl_serv_intel_cpu", "mkl_serv_intel_cpu_true"];

    private const string SoName = "libpalimpsest_mklcpu.so";

    /// <summary>Whether to apply the shim here, and why: the setting, then the processor's vendor and AVX-512.</summary>
    public static (bool Apply, string Why) Decide(string? setting, string cpuinfo)
    {
        string mode = string.IsNullOrWhiteSpace(setting) ? "auto" : setting.Trim().ToLowerInvariant();
        switch (mode)
        {
            case "off": return (false, $"{Variable}=off");
            case "on": return (true, $"{Variable}=on");
            case "auto": break;
            default:
                throw new ArgumentException($"{Variable}='{setting}' is not a setting; allowed: auto, off, on");
        }
        bool amd = cpuinfo.Contains("AuthenticAMD", StringComparison.Ordinal);
        bool avx512 = cpuinfo.Split('\n').Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Split(' ').Contains("avx512f"));
        return (amd && avx512, amd ? avx512 ? "AMD processor with AVX-512" : "AMD processor without AVX-512" : "not an AMD processor");
    }

    /// <summary>
    /// The shared object's bytes: ELF header, four program headers (text, dynamic data, PT_DYNAMIC, a non-executable
    /// stack), a SysV hash table with one bucket, the symbol and string tables, and <c>mov eax, 1; ret</c> per symbol.
    /// </summary>
    public static byte[] Build()
    {
        const int ehdr = 64, phdr = 56, phnum = 4, symSize = 24, page = 0x1000;
        int symbolCount = Symbols.Count + 1;                               // index 0 is the null symbol
        var strings = new MemoryStream();
        strings.WriteByte(0);
        var nameOffsets = new List<int>();
        foreach (string name in Symbols.Append(SoName))
        {
            nameOffsets.Add((int)strings.Length);
            strings.Write(Encoding.ASCII.GetBytes(name));
            strings.WriteByte(0);
        }
        byte[] strtab = strings.ToArray();

        int hashAt = ehdr + phdr * phnum;
        int hashSize = 4 * (2 + 1 + symbolCount);                        // nbucket, nchain, one bucket, the chain
        int symtabAt = Align(hashAt + hashSize, 8);
        int strtabAt = symtabAt + symSize * symbolCount;
        int codeAt = Align(strtabAt + strtab.Length, 16);
        byte[] body = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];                 // mov eax, 1; ret
        int codeStride = 16;
        int textEnd = codeAt + codeStride * Symbols.Count;
        long[][] dynamic =
        [
            [4, hashAt], [5, strtabAt], [6, symtabAt], [10, strtab.Length], [11, symSize], [14, nameOffsets[^1]], [0, 0],
        ];
        int dynamicAt = page;
        int dynamicSize = 16 * dynamic.Length;
        var file = new byte[dynamicAt + dynamicSize];
        var span = file.AsSpan();

        // ELF header: 64-bit, little-endian, shared object, x86-64.
        span[0] = 0x7F; span[1] = (byte)'E'; span[2] = (byte)'L'; span[3] = (byte)'F';
        span[4] = 2; span[5] = 1; span[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(span[16..], 3);           // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(span[18..], 62);          // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], ehdr);        // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(span[52..], ehdr);
        BinaryPrimitives.WriteUInt16LittleEndian(span[54..], phdr);
        BinaryPrimitives.WriteUInt16LittleEndian(span[56..], phnum);
        BinaryPrimitives.WriteUInt16LittleEndian(span[58..], 64);

        void Program(int index, uint type, uint flags, long offset, long size, long align)
        {
            var p = file.AsSpan(ehdr + phdr * index);
            BinaryPrimitives.WriteUInt32LittleEndian(p, type);
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], flags);
            BinaryPrimitives.WriteInt64LittleEndian(p[8..], offset);       // p_offset
            BinaryPrimitives.WriteInt64LittleEndian(p[16..], offset);      // p_vaddr = offset
            BinaryPrimitives.WriteInt64LittleEndian(p[24..], offset);      // p_paddr
            BinaryPrimitives.WriteInt64LittleEndian(p[32..], size);        // p_filesz
            BinaryPrimitives.WriteInt64LittleEndian(p[40..], size);        // p_memsz
            BinaryPrimitives.WriteInt64LittleEndian(p[48..], align);
        }
        Program(0, 1, 5, 0, textEnd, page);                                // PT_LOAD, read + execute
        Program(1, 1, 6, dynamicAt, dynamicSize, page);                    // PT_LOAD, read + write (the loader adjusts it)
        Program(2, 2, 6, dynamicAt, dynamicSize, 8);                       // PT_DYNAMIC
        Program(3, 0x6474E551, 6, 0, 0, 16);                               // PT_GNU_STACK: no executable stack

        // Hash table: one bucket holding symbol 1, chained through every symbol.
        BinaryPrimitives.WriteInt32LittleEndian(span[hashAt..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[(hashAt + 4)..], symbolCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[(hashAt + 8)..], 1);
        for (int i = 1; i < symbolCount; i++)
            BinaryPrimitives.WriteInt32LittleEndian(span[(hashAt + 12 + 4 * i)..], i + 1 < symbolCount ? i + 1 : 0);

        for (int i = 0; i < Symbols.Count; i++)
        {
            var s = span[(symtabAt + symSize * (i + 1))..];
            int value = codeAt + codeStride * i;
            BinaryPrimitives.WriteInt32LittleEndian(s, nameOffsets[i]);
            s[4] = 0x12;                                                   // STB_GLOBAL, STT_FUNC
            BinaryPrimitives.WriteUInt16LittleEndian(s[6..], 1);            // defined (any section but UNDEF/ABS)
            BinaryPrimitives.WriteInt64LittleEndian(s[8..], value);
            BinaryPrimitives.WriteInt64LittleEndian(s[16..], body.Length);
            body.CopyTo(span[value..]);
        }
        strtab.CopyTo(span[strtabAt..]);
        for (int i = 0; i < dynamic.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(dynamicAt + 16 * i)..], dynamic[i][0]);
            BinaryPrimitives.WriteInt64LittleEndian(span[(dynamicAt + 16 * i + 8)..], dynamic[i][1]);
        }
        return file;
    }

    /// <summary>Writes the shim to <paramref name="directory"/> (once; the name carries its hash) and returns its path.</summary>
    public static string Write(string directory)
    {
        byte[] bytes = Build();
        string path = Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12], SoName);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + $".tmp-{Environment.ProcessId}";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>dlopen with <c>RTLD_NOW | RTLD_GLOBAL</c> (or <c>RTLD_LOCAL</c>), so that later libraries resolve the symbols here.</summary>
    /// <exception cref="DllNotFoundException">dlopen failed; the message holds dlerror's text.</exception>
    public static IntPtr Load(string path, bool global = true)
    {
        const int RtldNow = 2, RtldGlobal = 0x100;
        int flags = RtldNow | (global ? RtldGlobal : 0);
        IntPtr handle;
        string? error;
        try
        {
            handle = LibC.dlopen(path, flags);
            error = handle == IntPtr.Zero ? Marshal.PtrToStringAnsi(LibC.dlerror()) : null;
        }
        catch (DllNotFoundException)
        {
            handle = LibDl.dlopen(path, flags);                          // glibc before 2.34 keeps dlopen in libdl
            error = handle == IntPtr.Zero ? Marshal.PtrToStringAnsi(LibDl.dlerror()) : null;
        }
        if (handle == IntPtr.Zero) throw new DllNotFoundException($"dlopen {path} failed: {error}");
        return handle;
    }

    private static int Align(int value, int to) => (value + to - 1) / to * to;

    private static class LibC
    {
        [DllImport("libc.so.6")] public static extern IntPtr dlopen(string file, int mode);
        [DllImport("libc.so.6")] public static extern IntPtr dlerror();
    }

    private static class LibDl
    {
        [DllImport("libdl.so.2")] public static extern IntPtr dlopen(string file, int mode);
        [DllImport("libdl.so.2")] public static extern IntPtr dlerror();
    }
}
