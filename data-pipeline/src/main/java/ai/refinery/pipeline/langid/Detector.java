package ai.refinery.pipeline.langid;

import java.io.Serializable;

/** Text to language: the seam between {@link LanguageFilter} and the model behind it. */
interface Detector extends Serializable {

    Detection detect(String text);
}
