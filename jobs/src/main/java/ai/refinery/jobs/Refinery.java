package ai.refinery.jobs;

/** Entry point placeholder; replaced by the command line. */
public final class Refinery {
    public static void main(String[] args) {
    }
}
