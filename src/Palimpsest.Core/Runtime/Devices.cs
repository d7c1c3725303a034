using System.Globalization;
using TorchSharp;

namespace Palimpsest.Core.Runtime;

/// <summary>
/// Chooses the torch device and thread count. <c>PALIMPSEST_DEVICE</c> is read here and nowhere else: unset or empty
/// means CUDA when available and otherwise the CPU; <c>cpu</c> or <c>cuda</c> forces that device.
/// </summary>
public static class Devices
{
    /// <summary>The environment variable that forces the device.</summary>
    public const string DeviceVariable = "PALIMPSEST_DEVICE";

    private static readonly string[] AllowedSettings = ["cpu", "cuda"];

    /// <summary>The device chosen by <see cref="DeviceVariable"/> (see <see cref="Resolve"/>).</summary>
    /// <exception cref="ArgumentException"><see cref="DeviceVariable"/> holds a value other than cpu or cuda.</exception>
    /// <exception cref="InvalidOperationException"><see cref="DeviceVariable"/> is cuda but CUDA is not available.</exception>
    public static torch.Device Default => Resolve(Environment.GetEnvironmentVariable(DeviceVariable));

    /// <summary>The thread count Palimpsest uses unless told otherwise: <see cref="Environment.ProcessorCount"/>.</summary>
    public static int DefaultThreads => Environment.ProcessorCount;

    /// <summary>
    /// Maps a device setting to a device: null, empty or whitespace picks CUDA when <c>torch.cuda.is_available()</c> and
    /// the CPU otherwise; <c>cpu</c> and <c>cuda</c> (any case) force that device.
    /// </summary>
    /// <param name="setting">The value of <see cref="DeviceVariable"/>, or null when unset.</param>
    /// <returns>The device to use.</returns>
    /// <exception cref="ArgumentException"><paramref name="setting"/> is not empty, cpu or cuda.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="setting"/> is cuda but CUDA is not available.</exception>
    public static torch.Device Resolve(string? setting)
    {
        string? forced = ParseSetting(setting);
        TorchRuntime.Initialize();
        bool cudaAvailable = torch.cuda.is_available();
        return forced switch
        {
            "cpu" => torch.device(DeviceType.CPU),
            "cuda" when cudaAvailable => torch.device(DeviceType.CUDA),
            "cuda" => throw new InvalidOperationException(
                $"{DeviceVariable} is 'cuda' but torch.cuda.is_available() is false: this build may use the CPU-only libtorch, " +
                $"or no CUDA GPU and driver are visible. Unset {DeviceVariable} or set it to 'cpu'."),
            _ => torch.device(cudaAvailable ? DeviceType.CUDA : DeviceType.CPU),
        };
    }

    /// <summary>A one-line description of the device choice and thread count, for banners.</summary>
    /// <returns>For example "device cpu (PALIMPSEST_DEVICE unset; CUDA not available); threads: 2".</returns>
    /// <exception cref="ArgumentException">See <see cref="Default"/>.</exception>
    /// <exception cref="InvalidOperationException">See <see cref="Default"/>.</exception>
    public static string Describe()
    {
        string? setting = Environment.GetEnvironmentVariable(DeviceVariable);
        torch.Device device = Resolve(setting);
        string source = string.IsNullOrWhiteSpace(setting) ? $"{DeviceVariable} unset" : $"{DeviceVariable}={setting.Trim()}";
        string cuda = torch.cuda.is_available()
            ? string.Create(CultureInfo.InvariantCulture, $"CUDA available, {torch.cuda.device_count()} device(s)")
            : "CUDA not available";
        return string.Create(CultureInfo.InvariantCulture,
            $"device {device} ({source}; {cuda}); threads: {torch.get_num_threads()}");
    }

    /// <summary>Sets the number of threads torch uses for intra-op parallelism (<c>torch.set_num_threads</c>).</summary>
    /// <param name="threads">At least 1; <see cref="DefaultThreads"/> uses every core.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchRuntime.Initialize();
        torch.set_num_threads(threads);
    }

    private static string? ParseSetting(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
            return null;
        string trimmed = setting.Trim();
        foreach (string allowed in AllowedSettings)
        {
            if (string.Equals(trimmed, allowed, StringComparison.OrdinalIgnoreCase))
                return allowed;
        }
        throw new ArgumentException(
            $"{DeviceVariable} is '{setting}', which is not a device setting; allowed: {string.Join(", ", AllowedSettings)} " +
            "(or unset for CUDA when available, else CPU).", nameof(setting));
    }
}
