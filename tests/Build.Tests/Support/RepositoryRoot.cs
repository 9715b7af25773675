namespace Pipeline.Tests.Support;

/// <summary>This repository's top folder, found from the tests' output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "global.json")) && Directory.Exists(System.IO.Path.Combine(folder.FullName, "build")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (with global.json and build/) was not found above the tests.");
    }
}
