namespace Pipeline;

/// <summary>
/// Bad input or a refused precondition: the message is the one line the user reads, naming the
/// input and what to do. Cake prints only the message unless --verbosity=diagnostic.
/// </summary>
public class BuildInputException(string message) : PipelineException(message);
