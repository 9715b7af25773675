namespace Pipeline.Tests.Support;

public static class TestFiles
{
    /// <summary>Copies a folder's files with today's times, leaving out every folder named in <paramref name="skipped"/> (build output, caches).</summary>
    public static void CopyDirectory(string source, string target, params string[] skipped)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (Path.GetDirectoryName(relative)!.Split(Path.DirectorySeparatorChar).Any(skipped.Contains)) continue;
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
