// Receives Simpul's deliveries: verifies the Standard Webhooks signature, refuses stale
// timestamps, skips duplicates by webhook-id, stores each new event id, answers 204.
//
//   WEBHOOK_SECRET=whsec_... PORT=9000 RECEIVED_FILE=received.txt java Receiver.java
//
// Java 17+, JDK only (no build step: the single source file is compiled and run).

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class Receiver {
    static final long TOLERANCE_SECONDS = 300;
    static final int BODY_BYTES_MAX = 8 << 20;
    // The subscription's whsec_... secret; while it changes, both, separated by a space.
    static final List<byte[]> KEYS = Arrays.stream(System.getenv("WEBHOOK_SECRET").trim().split("\\s+"))
            .map(secret -> Base64.getDecoder().decode(secret.substring("whsec_".length()))).toList();
    static final Path RECEIVED_FILE = Path.of(System.getenv().getOrDefault("RECEIVED_FILE", "received.txt"));
    static final Set<String> SEEN = ConcurrentHashMap.newKeySet();   // use a database in production

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "9000"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", Receiver::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("listening on 127.0.0.1:" + port);
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readNBytes(BODY_BYTES_MAX + 1);
            if (body.length > BODY_BYTES_MAX) { answer(exchange, 413, "refused: body too large"); return; }
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String header = exchange.getRequestHeaders().getFirst("webhook-signature");
            if (!"POST".equals(exchange.getRequestMethod()) || !signatureOk(id, timestamp, body, header)) {
                answer(exchange, 401, "refused: bad signature or timestamp");
                return;
            }
            synchronized (SEEN) {
                if (SEEN.contains(id)) { answer(exchange, 204, "duplicate id=" + id + " signature=ok"); return; }
                Files.writeString(RECEIVED_FILE, id + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);   // store first, work later
                SEEN.add(id);
            }
            answer(exchange, 204, "received id=" + id + " signature=ok");   // parse the body with your JSON library
        }
    }

    static boolean signatureOk(String id, String timestamp, byte[] body, String header) {
        if (id == null || timestamp == null || header == null || !timestamp.matches("[0-9]{1,18}")) return false;
        if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > TOLERANCE_SECONDS) return false;
        try {
            for (byte[] key : KEYS) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
                byte[] expected = Base64.getEncoder().encode(mac.doFinal(body));
                for (String part : header.split(" ")) {
                    if (part.startsWith("v1,") && MessageDigest.isEqual(expected, part.substring(3).getBytes(StandardCharsets.UTF_8))) return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    static void answer(HttpExchange exchange, int status, String log) throws IOException {
        System.out.println(log);
        exchange.sendResponseHeaders(status, -1);
    }
}
