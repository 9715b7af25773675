using LibGit2Sharp;

namespace Pipeline.Tests.Support;

/// <summary>A real git repository in a temporary folder, deleted on dispose.</summary>
public sealed class TempGitRepository : IDisposable
{
    private static readonly Signature Author = new("Test", "test@example.com", DateTimeOffset.Parse("2026-11-26T07:00:00Z"));

    public TempGitRepository(bool init = true)
    {
        Root = Directory.CreateTempSubdirectory("pipeline-test-").FullName;
        if (init) Repository.Init(Root);
    }

    public string Root { get; }

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Commit(string message = "change")
    {
        using var repository = new Repository(Root);
        Commands.Stage(repository, "*");
        return repository.Commit(message, Author, Author, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
