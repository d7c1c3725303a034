using System.Runtime.InteropServices;
using Palimpsest.Core.Runtime;

namespace Palimpsest.Core.Tests.Runtime;

public sealed class MklCpuShimTests
{
    [Fact]
    public unsafe void TheShimLoadsAndItsFunctionsReturnOne()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        string dir = Directory.CreateTempSubdirectory("palimpsest-mkl").FullName;
        try
        {
            string path = MklCpuShim.Write(dir);
            Assert.Equal(path, MklCpuShim.Write(dir));                      // written once, found again
            IntPtr handle = MklCpuShim.Load(path, global: false);          // local: this test must not change torch
            foreach (string symbol in MklCpuShim.Symbols)
            {
                Assert.True(NativeLibrary.TryGetExport(handle, symbol, out IntPtr f), $"the shim does not export {symbol}");
                Assert.Equal(1, ((delegate* unmanaged<int>)f)());
            }
            Assert.False(NativeLibrary.TryGetExport(handle, "mkl_serv_cpu_detect", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ItIsAppliedOnlyOnAmdWithAvx512UnlessTheSettingSaysOtherwise()
    {
        const string amd = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\n";
        const string amdNoAvx512 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2\n";
        const string intel = "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx2 avx512f\n";
        Assert.True(MklCpuShim.Decide(null, amd).Apply);
        Assert.False(MklCpuShim.Decide("auto", amdNoAvx512).Apply);
        Assert.False(MklCpuShim.Decide("", intel).Apply);
        Assert.False(MklCpuShim.Decide("off", amd).Apply);
        Assert.True(MklCpuShim.Decide("ON", intel).Apply);
        var e = Assert.Throws<ArgumentException>(() => MklCpuShim.Decide("maybe", amd));
        Assert.Contains("'maybe'", e.Message);
        Assert.Contains("auto, off, on", e.Message);
    }

    [Fact]
    public void TheBytesAreAFixedElfSharedObject()
    {
        byte[] so = MklCpuShim.Build();
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }, so[..7]);
        Assert.Equal(3, BitConverter.ToUInt16(so, 16));                  // ET_DYN
        Assert.Equal(so, MklCpuShim.Build());                              // deterministic
    }
}
