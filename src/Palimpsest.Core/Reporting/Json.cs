using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Palimpsest.Core.Reporting;

/// <summary>
/// The project's JSON: invariant, indented, camelCase, enums as strings, NaN and infinities as named literals,
/// object keys sorted so that the same numbers give the same bytes.
/// </summary>
public static class Json
{
    /// <summary>Serializer options used for every file the project writes.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        IncludeFields = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Serializes <paramref name="value"/> with sorted object keys and a trailing newline.</summary>
    public static string Serialize(object? value)
    {
        var node = JsonSerializer.SerializeToNode(value, value?.GetType() ?? typeof(object), Options);
        return Sort(node)?.ToJsonString(Options).Replace("\r\n", "\n") + "\n";
    }

    /// <summary>Reads a value written by <see cref="Serialize"/>.</summary>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"empty JSON for {typeof(T).Name}");

    /// <summary>A JSON tree of <paramref name="value"/> with sorted keys.</summary>
    public static JsonNode? ToNode(object? value) =>
        Sort(JsonSerializer.SerializeToNode(value, value?.GetType() ?? typeof(object), Options));

    private static JsonNode? Sort(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var sorted = new JsonObject();
                foreach (var (key, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
                {
                    obj.Remove(key);
                    sorted[key] = Sort(child);
                }
                return sorted;
            }
            case JsonArray array:
            {
                var items = array.ToList();
                array.Clear();
                var sortedArray = new JsonArray();
                foreach (var item in items) sortedArray.Add(Sort(item));
                return sortedArray;
            }
            default:
                return node;
        }
    }
}

/// <summary>Writes files so that an interrupted run never leaves a half-written file: temp file, then rename.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> atomically, creating folders.</summary>
    public static void WriteAllText(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllText(temp, text, new System.Text.UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Creates <paramref name="folder"/> if missing and proves it writable by writing and deleting a small file, so that a
    /// run fails before any training rather than after it. Throws an <see cref="IOException"/> naming the folder and why.
    /// </summary>
    public static void ProbeFolder(string folder)
    {
        string full = Path.GetFullPath(folder);
        string probe = Path.Combine(full, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(full);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"the output folder '{full}' cannot be written ({e.Message}); choose another with --out DIR", e);
        }
    }
}
