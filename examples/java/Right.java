/** The right integration: bind, query, receive a push, unbind; every reply must be resultcode "0". */
public final class Right {
    public static void main(String[] args) throws Exception {
        var receiver = Pns.receiver(200);
        try {
            String x = Pns.NUMBERS[0];
            String bound = expectSuccess(Pns.call("POST", Pns.BASE + Pns.AXB,
                    "{\"relationNum\":\"" + x + "\",\"callerNum\":\"+8613800000001\",\"calleeNum\":\"+8613900000002\"}",
                    Pns.headers()));
            String id = Pns.field(bound, "subscriptionId");
            expectSuccess(Pns.call("GET", Pns.BASE + Pns.AXB + Pns.query("subscriptionId", id), null, Pns.headers()));
            Pns.numberStatusPush(x);
            expectSuccess(Pns.call("DELETE", Pns.BASE + Pns.AXB + Pns.query("subscriptionId", id), null, Pns.headers()));
            System.out.println("java: right integration done");
        } finally {
            receiver.stop(0);
        }
    }

    static String expectSuccess(String reply) {
        if (!"0".equals(Pns.field(reply, "resultcode"))) {
            System.err.println("PNS refused: " + reply);
            System.exit(1);
        }
        return reply;
    }
}
