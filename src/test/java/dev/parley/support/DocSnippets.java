package dev.parley.support;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaFileManager;
import javax.tools.FileObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code snippets of docs/webhooks.md, as the documentation shows them: the Java one compiled in
 * memory, so tests verify deliveries with exactly the documented recipe.
 */
public final class DocSnippets {
  private DocSnippets() {}

  private static Method javaVerify;

  /** The fenced block after {@code <!-- snippet:NAME -->} in docs/webhooks.md. */
  public static String snippet(String name) {
    try {
      String doc = Files.readString(Path.of("docs/webhooks.md"));
      Matcher m = Pattern.compile("<!-- snippet:" + name + " -->\\s*```\\w+\\n(.*?)```", Pattern.DOTALL).matcher(doc);
      if (!m.find()) throw new AssertionError("docs/webhooks.md has no snippet " + name);
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** ParleySignature.verify(secret, header, body, nowSeconds) from the Java snippet. */
  public static synchronized boolean verifyWithJavaSnippet(String secret, String header, byte[] body, long nowSeconds) {
    try {
      if (javaVerify == null) javaVerify = compile(snippet("java")).getMethod("verify", String.class, String.class,
        byte[].class, long.class);
      return (boolean) javaVerify.invoke(null, secret, header, body, nowSeconds);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the documented Java snippet did not run: " + e, e);
    }
  }

  private static Class<?> compile(String source) throws ClassNotFoundException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///ParleySignature.java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    JavaFileManager manager = new ForwardingJavaFileManager<>(compiler.getStandardFileManager(null, null, null)) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className + ".class"), kind) {
          @Override
          public OutputStream openOutputStream() {
            return classes.computeIfAbsent(className, k -> new ByteArrayOutputStream());
          }
        };
      }
    };
    StringBuilder errors = new StringBuilder();
    boolean ok = compiler.getTask(null, manager, d -> errors.append(d).append('\n'), List.of("--release", "17"), null,
      List.of(file)).call();
    if (!ok) throw new AssertionError("the documented Java snippet does not compile:\n" + errors);
    ClassLoader loader = new ClassLoader(DocSnippets.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        ByteArrayOutputStream bytes = classes.get(name);
        if (bytes == null) throw new ClassNotFoundException(name);
        byte[] b = bytes.toByteArray();
        return defineClass(name, b, 0, b.length);
      }
    };
    return loader.loadClass("ParleySignature");
  }
}
