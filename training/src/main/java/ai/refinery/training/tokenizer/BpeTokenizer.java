package ai.refinery.training.tokenizer;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-level BPE tokenizer (GPT-2 scheme): text is split by {@link PreTokenizer}, each piece's UTF-8 bytes
 * start as one token per byte and are merged by rank. Every string round-trips exactly through
 * encode/decode (strings with unpaired surrogates excepted: they are not valid Unicode and encode as '?').
 *
 * <p>Thread-safe and serializable, so one instance can be broadcast to Spark executors. Encoded pieces are
 * cached, since a corpus repeats the same words over and over.
 */
public final class BpeTokenizer implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Pieces up to this many bytes are merged with a quadratic scan; longer ones use a heap. */
    private static final int SHORT_PIECE = 48;
    private static final int CACHE_MAX_ENTRIES = 200_000;
    private static final int CACHE_MAX_PIECE_CHARS = 64;

    /** One entry of tokenizer.json's added_tokens. */
    public record AddedToken(int id, String content, boolean special) implements Serializable {
    }

    private final String[] tokens;
    private final byte[][] tokenBytes;
    private final int[] byteToId = new int[256];
    private final List<String[]> merges;
    private final PairMap mergeRanks;
    private final List<AddedToken> addedTokens;
    private final Map<String, Integer> vocab;
    private transient volatile Map<String, int[]> cache;

    /**
     * @param vocab       the model vocabulary: byte-level token strings (and special tokens) to ids
     * @param merges      merge rules in rank order, each a pair of token strings whose concatenation is in vocab
     * @param addedTokens tokens matched verbatim in text before pre-tokenisation (the special tokens)
     */
    public BpeTokenizer(Map<String, Integer> vocab, List<String[]> merges, List<AddedToken> addedTokens) {
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (AddedToken t : addedTokens) {
            if (t.content().isEmpty() || t.id() < 0) {
                throw new IllegalArgumentException("added token " + t.id() + " is empty or has a negative id");
            }
            size = Math.max(size, t.id() + 1);
        }
        tokens = new String[size];
        tokenBytes = new byte[size][];
        vocab.forEach((token, id) -> {
            if (id < 0) {
                throw new IllegalArgumentException("negative id " + id + " for token '" + token + "'");
            }
            tokens[id] = token;
            tokenBytes[id] = ByteLevel.toBytes(token);
        });
        for (AddedToken t : addedTokens) {
            tokens[t.id()] = t.content();
            tokenBytes[t.id()] = t.content().getBytes(StandardCharsets.UTF_8);
        }
        Arrays.fill(byteToId, -1);
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new IllegalArgumentException("vocabulary lacks the byte token for byte " + b
                        + " ('" + ByteLevel.charOf(b) + "'): not a complete byte-level BPE vocabulary");
            }
            byteToId[b] = id;
        }
        mergeRanks = new PairMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer a = vocab.get(m[0]);
            Integer b = vocab.get(m[1]);
            Integer merged = vocab.get(m[0] + m[1]);
            if (a == null || b == null || merged == null) {
                throw new IllegalArgumentException("merge " + rank + " '" + m[0] + " " + m[1]
                        + "' uses a token that is not in the vocabulary");
            }
            // A pair listed twice keeps its first (best) rank, as the reference implementation does.
            if (mergeRanks.get(a, b) == PairMap.MISSING) {
                mergeRanks.put(a, b, ((long) rank << 32) | merged);
            }
        }
        this.merges = List.copyOf(merges);
        List<AddedToken> sorted = new ArrayList<>(addedTokens);
        sorted.sort((x, y) -> Integer.compare(x.id(), y.id()));
        this.addedTokens = List.copyOf(sorted);
        this.vocab = Collections.unmodifiableMap(new HashMap<>(vocab));
    }

    /**
     * The tokenizer a training run produces: {@link SpecialTokens} at ids 0..5, byte b at 6 + b, and merge
     * i (a pair of ids) at 262 + i.
     */
    public static BpeTokenizer fromMerges(List<int[]> mergePairs) {
        List<String> strings = new ArrayList<>(SpecialTokens.MIN_VOCAB_SIZE + mergePairs.size());
        Map<String, Integer> vocab = new HashMap<>();
        List<AddedToken> added = new ArrayList<>();
        for (String special : SpecialTokens.ALL) {
            added.add(new AddedToken(strings.size(), special, true));
            vocab.put(special, strings.size());
            strings.add(special);
        }
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.charOf(b));
            vocab.put(s, strings.size());
            strings.add(s);
        }
        List<String[]> merges = new ArrayList<>(mergePairs.size());
        for (int[] pair : mergePairs) {
            String a = strings.get(pair[0]);
            String b = strings.get(pair[1]);
            String merged = a + b;
            if (vocab.putIfAbsent(merged, strings.size()) != null) {
                throw new IllegalArgumentException("merge " + merges.size() + " repeats token '" + merged + "'");
            }
            strings.add(merged);
            merges.add(new String[] {a, b});
        }
        return new BpeTokenizer(vocab, merges, added);
    }

    public static BpeTokenizer load(Path tokenizerJson) throws IOException {
        return TokenizerJson.read(tokenizerJson);
    }

    /** Writes the Hugging Face tokenizer.json format. */
    public void save(Path tokenizerJson) throws IOException {
        TokenizerJson.write(this, tokenizerJson);
    }

    /** The Hugging Face tokenizer_config.json (with the chat template) that belongs beside tokenizer.json. */
    public static final String CONFIG_FILE = "tokenizer_config.json";

    /** The tokenizer_config.json text: special-token roles and the chat template, for transformers. */
    public String configJson() throws IOException {
        return TokenizerJson.configJson(this);
    }

    /** The Hugging Face tokenizer.json text. */
    public String toJson() throws IOException {
        return TokenizerJson.toJson(this);
    }

    /** Reads tokenizer.json text; {@code origin} names it in errors. */
    public static BpeTokenizer fromJson(String json, String origin) throws IOException {
        return TokenizerJson.fromJson(json, origin);
    }

    public int vocabSize() {
        return tokens.length;
    }

    public int endOfTextId() {
        return idOf(SpecialTokens.END_OF_TEXT);
    }

    /** The id of a token (byte-level string or special token), or -1. */
    public int idOf(String token) {
        for (AddedToken t : addedTokens) {
            if (t.content().equals(token)) {
                return t.id();
            }
        }
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    /** The token's string as stored in tokenizer.json (byte-level characters, or a special token's text). */
    public String token(int id) {
        return tokens[id];
    }

    /** The bytes a token decodes to (a special token's UTF-8 text). */
    public byte[] tokenBytes(int id) {
        return tokenBytes[id].clone();
    }

    public List<String[]> merges() {
        return merges;
    }

    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    /** The model vocabulary: token string to id. */
    public Map<String, Integer> vocab() {
        return vocab;
    }

    /**
     * Encodes text; occurrences of added (special) tokens in the text become their single ids, as the
     * Hugging Face tokenizers library does. Use this for chat templates.
     */
    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
        int n = addedTokens.size();
        int[] next = new int[n];
        Arrays.fill(next, -2);
        int i = 0;
        while (i < text.length()) {
            int best = -1;
            int bestPos = Integer.MAX_VALUE;
            for (int k = 0; k < n; k++) {
                if (next[k] != -1 && next[k] < i) {
                    next[k] = text.indexOf(addedTokens.get(k).content(), i);
                }
                int pos = next[k];
                if (pos >= 0 && (pos < bestPos || (pos == bestPos
                        && addedTokens.get(k).content().length() > addedTokens.get(best).content().length()))) {
                    best = k;
                    bestPos = pos;
                }
            }
            int end = best < 0 ? text.length() : bestPos;
            encodeOrdinary(text, i, end, out);
            if (best < 0) {
                break;
            }
            out.add(addedTokens.get(best).id());
            i = bestPos + addedTokens.get(best).content().length();
        }
        return out.toArray();
    }

    /**
     * Encodes text as plain text: a special token's string in it is ordinary characters. Use this for
     * documents from the web, so that a page cannot inject document separators or chat markers.
     */
    public int[] encodeOrdinary(String text) {
        IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
        encodeOrdinary(text, 0, text.length(), out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, int from, int to, IntBuffer out) {
        Map<String, int[]> c = cache();
        PreTokenizer.split(text, from, to, (s, e) -> {
            if (e - s <= CACHE_MAX_PIECE_CHARS) {
                String piece = text.substring(s, e);
                int[] ids = c.get(piece);
                if (ids == null) {
                    ids = encodePiece(piece.getBytes(StandardCharsets.UTF_8), false);
                    if (c.size() >= CACHE_MAX_ENTRIES) {
                        c.clear();
                    }
                    c.put(piece, ids);
                }
                out.addAll(ids);
            } else {
                out.addAll(encodePiece(text.substring(s, e).getBytes(StandardCharsets.UTF_8), false));
            }
        });
    }

    private Map<String, int[]> cache() {
        Map<String, int[]> c = cache;
        if (c == null) {
            synchronized (this) {
                c = cache;
                if (c == null) {
                    c = new ConcurrentHashMap<>();
                    cache = c;
                }
            }
        }
        return c;
    }

    /** BPE over one piece's bytes; forceHeap selects the long-piece algorithm (tests compare the two). */
    int[] encodePiece(byte[] bytes, boolean forceHeap) {
        int n = bytes.length;
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = byteToId[bytes[i] & 0xFF];
        }
        if (n < 2) {
            return s;
        }
        return n <= SHORT_PIECE && !forceHeap ? mergeShort(s) : mergeLong(s);
    }

    /** Repeatedly merges every occurrence of the lowest-ranked pair present, left to right. */
    private int[] mergeShort(int[] s) {
        int n = s.length;
        while (n > 1) {
            long bestRank = Long.MAX_VALUE;
            int bestAt = -1;
            int newId = 0;
            for (int i = 0; i < n - 1; i++) {
                long v = mergeRanks.get(s[i], s[i + 1]);
                if (v != PairMap.MISSING && (v >>> 32) < bestRank) {
                    bestRank = v >>> 32;
                    bestAt = i;
                    newId = (int) v;
                }
            }
            if (bestAt < 0) {
                break;
            }
            int a = s[bestAt];
            int b = s[bestAt + 1];
            int j = bestAt;
            for (int i = bestAt; i < n; i++) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    s[j++] = newId;
                    i++;
                } else {
                    s[j++] = s[i];
                }
            }
            n = j;
        }
        return n == s.length ? s : Arrays.copyOf(s, n);
    }

    /** The same result as mergeShort in O(n log n): a linked list of symbols and a heap of (rank, position). */
    private int[] mergeLong(int[] s) {
        int n = s.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] dead = new boolean[n];
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                pushPair(heap, s, i, i + 1);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int p = (int) top;
            int q = next[p];
            if (dead[p] || q < 0) {
                continue;
            }
            long v = mergeRanks.get(s[p], s[q]);
            if (v == PairMap.MISSING || (v >>> 32) != rank) {
                continue;
            }
            s[p] = (int) v;
            dead[q] = true;
            next[p] = next[q];
            if (next[q] >= 0) {
                prev[next[q]] = p;
            }
            if (prev[p] >= 0) {
                pushPair(heap, s, prev[p], p);
            }
            if (next[p] >= 0) {
                pushPair(heap, s, p, next[p]);
            }
        }
        IntBuffer out = new IntBuffer(n);
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(s[i]);
        }
        return out.toArray();
    }

    private void pushPair(LongHeap heap, int[] s, int p, int q) {
        long v = mergeRanks.get(s[p], s[q]);
        if (v != PairMap.MISSING) {
            heap.push(((v >>> 32) << 32) | p);
        }
    }

    /** Decodes ids to text; byte sequences that are not valid UTF-8 become U+FFFD. */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    public byte[] decodeBytes(int[] ids) {
        int len = 0;
        for (int id : ids) {
            len += bytesOf(id).length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + tokens.length + ")");
        }
        return tokenBytes[id];
    }

    /** A growable int array. */
    static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) {
            data = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = v;
        }

        void addAll(int[] v) {
            if (size + v.length > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + v.length));
            }
            System.arraycopy(v, 0, data, size, v.length);
            size += v.length;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** A binary min-heap of longs. */
    static final class LongHeap {
        private long[] data;
        private int size;

        LongHeap(int capacity) {
            data = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (data[parent] <= v) {
                    break;
                }
                data[i] = data[parent];
                i = parent;
            }
            data[i] = v;
        }

        long pop() {
            long top = data[0];
            long last = data[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && data[child + 1] < data[child]) {
                    child++;
                }
                if (data[child] >= last) {
                    break;
                }
                data[i] = data[child];
                i = child;
            }
            data[i] = last;
            return top;
        }
    }
}
