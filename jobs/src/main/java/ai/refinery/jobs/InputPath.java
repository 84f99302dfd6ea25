package ai.refinery.jobs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an option whose values are files or folders a command reads: {@code refinery build} fingerprints their
 * listing, so a stage re-runs when its inputs change. Not for folders a stage also writes (the dedup index).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface InputPath {
}
