import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A PNS client as a Java shop writes it: JDK 17 HttpClient, AKSK headers by hand, no framework. */
final class Pns {
    static final String AXB = "/rest/caas/relationnumber/partners/v1.0";
    static final String BASE = env("PNS_BASE_URL");
    static final String ADMIN = env("PNS_ADMIN_URL");
    static final String APP_KEY = env("PNS_AXB_APP_KEY");
    static final String APP_SECRET = env("PNS_AXB_APP_SECRET");
    static final String[] NUMBERS = env("PNS_AXB_NUMBERS").split(",");
    static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    // The JDK's default client, as most Java integrations build it: over plain http it asks for an
    // h2c upgrade on each request, which the mock ignores and answers over HTTP/1.1.
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Pns() {}

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null) {
            System.err.println(name + " is not set: run this under pns-mock run");
            System.exit(2);
        }
        return value;
    }

    /** yyyy-MM-dd'T'HH:mm:ss'Z', in UTC. */
    static String utcNow() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(CREATED);
    }

    static String[] headers(String appKey, String secret, String created) throws Exception {
        String nonce = UUID.randomUUID().toString().replace("-", "").toUpperCase();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String digest = Base64.getEncoder().encodeToString(
                mac.doFinal((nonce + created).getBytes(StandardCharsets.UTF_8)));
        return new String[] {
            "Content-Type", "application/json;charset=UTF-8",
            "Authorization", "AKSK realm=\"SDP\",profile=\"UsernameToken\",type=\"Appkey\"",
            "X-AKSK", "UsernameToken Username=\"" + appKey + "\",PasswordDigest=\"" + digest
                    + "\",Nonce=\"" + nonce + "\",Created=\"" + created + "\"",
        };
    }

    static String[] headers() throws Exception {
        return headers(APP_KEY, APP_SECRET, utcNow());
    }

    static String query(String name, String value) {
        return "?" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The reply body; a JSON library would parse it, this example only looks for fields. */
    static String call(String method, String url, String json, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\":\"");
        if (at < 0) {
            return null;
        }
        int start = at + name.length() + 4;
        return json.substring(start, json.indexOf('"', start));
    }

    /** The push receiver: answers every push with {@code status} (PNS wants 200, empty body). */
    static HttpServer receiver(int status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 18082), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Ask the mock to push a number-status change, and wait until it reached the receiver. */
    static void numberStatusPush(String number) throws Exception {
        call("POST", ADMIN + "/numbers/" + URLEncoder.encode(number, StandardCharsets.UTF_8) + "/status",
                "{\"status\":\"10\",\"cause\":\"2\"}", "Content-Type", "application/json");
        for (int i = 0; i < 250; i++) {
            if (call("GET", ADMIN + "/pushes?webhook=numStatus", null).contains("\"attempts\":[{")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the numStatus push never arrived");
    }
}
