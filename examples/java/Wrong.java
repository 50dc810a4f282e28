import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A deliberately wrong integration: each request carries one classic mistake, and the receiver
 * answers pushes with 500. It checks nothing, as such clients do: the verdict must catch it all.
 */
public final class Wrong {
    public static void main(String[] args) throws Exception {
        var receiver = Pns.receiver(500);
        try {
            String x = Pns.NUMBERS[0];
            String url = Pns.BASE + Pns.AXB;
            String body = "{\"relationNum\":\"" + x + "\",\"callerNum\":\"+8613800000001\",\"calleeNum\":\"+8613900000002\"}";
            // 1. local time with a space, as LocalDateTime prints it, instead of yyyy-MM-dd'T'HH:mm:ss'Z'
            String local = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
            Pns.call("POST", url, body, Pns.headers(Pns.APP_KEY, Pns.APP_SECRET, local));
            // 2. the required calleeNum left out
            Pns.call("POST", url, "{\"relationNum\":\"" + x + "\",\"callerNum\":\"+8613800000001\"}", Pns.headers());
            // 3. signed with the wrong secret: the digest does not match
            Pns.call("GET", url + Pns.query("relationNum", x), null,
                    Pns.headers(Pns.APP_KEY, "not-the-secret", Pns.utcNow()));
            // 4. the receiver answers 500
            Pns.numberStatusPush(Pns.NUMBERS[1]);
            System.out.println("java: wrong integration done");
        } finally {
            receiver.stop(0);
        }
    }
}
