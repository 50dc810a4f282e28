<?php
// The right integration: bind, query, receive a push, unbind; every reply must be resultcode "0".
require __DIR__ . '/pns.php';

function expect_success(array $reply): array
{
    if (($reply['resultcode'] ?? null) !== '0') {
        fwrite(STDERR, 'PNS refused: ' . json_encode($reply) . "\n");
        exit(1);
    }
    return $reply;
}

$receiver = start_receiver(200);
try {
    [$x] = numbers();
    $bound = expect_success(pns('POST', AXB, [], [
        'relationNum' => $x, 'callerNum' => '+8613800000001', 'calleeNum' => '+8613900000002',
    ]));
    expect_success(pns('GET', AXB, ['subscriptionId' => $bound['subscriptionId']]));
    number_status_push($x);
    expect_success(pns('DELETE', AXB, ['subscriptionId' => $bound['subscriptionId']]));
    echo "php: right integration done\n";
} finally {
    stop_receiver($receiver);
}
