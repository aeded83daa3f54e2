package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Launches JVMs the way a user would: the library's jars, the AWS SDK and slf4j on the module path (or the
 * class path), and a small user application compiled here from {@code src/moduletest}.
 *
 * <p>The jar of each library module comes from a system property set by the build ({@code it.jar.api},
 * {@code it.jar.worker-pool}, ...; see the pom); the third-party jars from the test class path the build
 * wrote to {@code it.classpathFile}, keeping only what the runner needs at run time: the AWS SDK, Netty,
 * Reactive Streams and slf4j (slf4j-simple included, so the child logs to its standard error).
 */
final class ModulePathLauncher {
  /** The library's modules by their directory name. */
  static final List<String> MODULES = List.of("api", "runner-sqs", "worker-semaphore", "worker-pool",
      "harvester-batch", "harvester-direct");
  // the runner's run-time closure, by local repository path
  private static final List<String> THIRD_PARTY = List.of("/software/amazon/", "/io/netty/",
      "/org/reactivestreams/", "/org/slf4j/");
  // a child that consumes a few messages needs seconds; this only stops a hung one
  private static final long CHILD_TIMEOUT_SECONDS = 120;

  private ModulePathLauncher() {}

  /**
   * Returns the {@code java} launcher of the JDK running this test, for child JVMs; never null. This is the
   * JDK the build selected: surefire forks the tests on the toolchain's JDK and sets {@code java.home} to it
   * (the command line of this process is not reliable for that: it may be unknown, or a wrapper).
   */
  static String javaLauncher() {
    Path bin = Path.of(System.getProperty("java.home"), "bin");
    Path java = Files.exists(bin.resolve("java")) ? bin.resolve("java") : bin.resolve("java.exe"); // Windows
    assertThat(java).as("the java launcher of java.home").exists();
    return java.toString();
  }

  /**
   * Returns a process builder for a JVM on this test's class path (the library, the testkit, ElasticMQ's
   * client side and the tests themselves) running {@code main}, a class of these tests: for children that
   * play a service process, not a user's module layout. The caller redirects its output and owns the
   * process.
   *
   * @param jvmOptions options such as {@code -Xmx64m} and {@code -D...}
   * @param main a class with a {@code main} method
   * @param args the program's arguments
   */
  static ProcessBuilder classPathChild(List<String> jvmOptions, Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(javaLauncher());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  /** Returns the jar (or classes directory) of a library module, such as {@code worker-pool}. */
  static Path jar(String module) {
    String value = System.getProperty("it.jar." + module);
    assertThat(value).as("system property it.jar.%s (set by the it pom)", module).isNotBlank();
    Path path = Path.of(value);
    assertThat(path).exists();
    return path;
  }

  /** Returns the AWS SDK, Netty, Reactive Streams and slf4j jars of the test class path. */
  static List<Path> thirdParty() {
    return testClassPath(THIRD_PARTY);
  }

  /** Returns the jars of the test class path whose local repository path contains one of {@code parts}. */
  static List<Path> testClassPath(List<String> parts) {
    String file = System.getProperty("it.classpathFile");
    assertThat(file).as("system property it.classpathFile (set by the it pom)").isNotBlank();
    try {
      String classpath = Files.readString(Path.of(file)).trim();
      List<Path> jars = Arrays.stream(classpath.split(java.io.File.pathSeparator))
          .filter(p -> parts.stream().anyMatch(p.replace('\\', '/')::contains))
          .map(Path::of)
          .toList();
      assertThat(jars).as("third-party jars").isNotEmpty();
      return jars;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The api, runner and third-party jars, to which a test adds its choice of worker and harvester. */
  static List<Path> base() {
    List<Path> paths = new ArrayList<>();
    paths.add(jar("api"));
    paths.add(jar("runner-sqs"));
    paths.addAll(thirdParty());
    return paths;
  }

  /**
   * Compiles one module of {@code src/moduletest} against the api module.
   *
   * @param name the module's directory, such as {@code user.app}
   * @param out where to put the classes
   * @return {@code out}
   */
  static Path compile(String name, Path out) throws IOException {
    return compile(name, out, List.of());
  }

  /** Compiles one module of {@code src/moduletest} against the api module and these other modules. */
  static Path compile(String name, Path out, List<Path> modulePath) throws IOException {
    Path sources = Path.of(System.getProperty("it.moduletestDir", "src/moduletest")).resolve(name);
    List<String> files;
    try (Stream<Path> walk = Files.walk(sources)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
    }
    Files.createDirectories(out);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK with a compiler runs the tests").isNotNull();
    List<String> args = new ArrayList<>(List.of("--release", "21", "-d", out.toString(),
        "--module-path", jar("api") + java.io.File.pathSeparator + slf4jApi()
            + (modulePath.isEmpty() ? "" : java.io.File.pathSeparator + path(modulePath))));
    args.addAll(files);
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    int status = javac.run(null, errors, errors, args.toArray(String[]::new));
    assertThat(status).as("compiling %s: %s", name, errors).isZero();
    return out;
  }

  private static Path slf4jApi() {
    return thirdParty().stream().filter(p -> p.getFileName().toString().startsWith("slf4j-api")).findFirst()
        .orElseThrow();
  }

  /** Packs a classes directory into a jar with only a manifest: no META-INF/services. */
  static Path jarOf(Path classes, Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        try (InputStream in = Files.newInputStream(p)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  /** What a child JVM printed (standard output and error together) and its exit status. */
  record Run(int status, String output) {
    /** The lines the user app printed, without their {@code USERAPP } prefix. */
    List<String> app() {
      return output.lines().filter(l -> l.startsWith("USERAPP ")).map(l -> l.substring(8)).toList();
    }

    @Override
    public String toString() {
      return "exit " + status + ":\n" + output;
    }
  }

  /**
   * Runs a JVM and waits for it.
   *
   * @param jvmOptions options such as {@code --module-path ...} and {@code -D...}
   * @param mainAndArgs {@code -m module/class} or a class name, then the program's arguments
   */
  static Run launch(List<String> jvmOptions, List<String> mainAndArgs, Path workDir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(javaLauncher());
    command.add("-XX:TieredStopAtLevel=1"); // starts faster; the child does little work
    command.add("-Xshare:auto");
    command.addAll(jvmOptions);
    command.addAll(mainAndArgs);
    Path log = Files.createTempFile(workDir, "child", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(exited).as("the child ended within %d s; it printed:%n%s", CHILD_TIMEOUT_SECONDS, output).isTrue();
    return new Run(process.exitValue(), output);
  }

  /** Joins paths with the platform's path separator. */
  static String path(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
  }

  /** System properties pointing the runner's own client at an endpoint, with fake credentials. */
  static List<String> sqsProperties(String endpoint, String accessKey, String secretKey) {
    return Map.of(
            "io.github.sqsconsumer.sqs.endpoint", endpoint,
            "io.github.sqsconsumer.sqs.region", "us-east-1",
            "aws.accessKeyId", accessKey,
            "aws.secretAccessKey", secretKey,
            "aws.disableEc2Metadata", "true")
        .entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).sorted().toList();
  }
}
