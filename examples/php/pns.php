<?php
// A PNS client as a PHP shop writes it: php-cli, the curl extension, AKSK headers by hand.

const AXB = '/rest/caas/relationnumber/partners/v1.0';
const RECEIVER = '127.0.0.1:18081';

function env(string $name): string
{
    $value = getenv($name);
    if ($value === false) {
        fwrite(STDERR, "$name is not set: run this under pns-mock run\n");
        exit(2);
    }
    return $value;
}

// yyyy-MM-dd'T'HH:mm:ss'Z', in UTC
function utc_now(): string
{
    return gmdate('Y-m-d\TH:i:s\Z');
}

function pns_headers(string $appKey, string $secret, ?string $created = null): array
{
    $created = $created ?? utc_now();
    $nonce = strtoupper(bin2hex(random_bytes(16)));
    $digest = base64_encode(hash_hmac('sha256', $nonce . $created, $secret, true));
    return [
        'Content-Type: application/json;charset=UTF-8',
        'Authorization: AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK: UsernameToken Username=\"$appKey\",PasswordDigest=\"$digest\",Nonce=\"$nonce\",Created=\"$created\"",
    ];
}

function http(string $method, string $url, ?array $body, array $headers): array
{
    $curl = curl_init($url);
    curl_setopt_array($curl, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_TIMEOUT => 10,
    ]);
    if ($body !== null) {
        curl_setopt($curl, CURLOPT_POSTFIELDS, json_encode($body));
    }
    $reply = curl_exec($curl);
    curl_close($curl);
    return json_decode((string) $reply, true) ?? [];
}

function pns(string $method, string $path, array $query = [], ?array $body = null, ?array $headers = null): array
{
    $url = env('PNS_BASE_URL') . $path . ($query ? '?' . http_build_query($query) : '');
    $headers = $headers ?? pns_headers(env('PNS_AXB_APP_KEY'), env('PNS_AXB_APP_SECRET'));
    return http($method, $url, $body, $headers);
}

function numbers(): array
{
    return explode(',', env('PNS_AXB_NUMBERS'));
}

// The push receiver (receiver.php under PHP's built-in server), answering every push with $status.
function start_receiver(int $status)
{
    $process = proc_open(
        [PHP_BINARY, '-S', RECEIVER, __DIR__ . '/receiver.php'],
        [0 => ['pipe', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
        $pipes,
        null,
        ['RECEIVER_STATUS' => (string) $status] + getenv()
    );
    [$host, $port] = explode(':', RECEIVER);
    for ($i = 0; $i < 250; $i++) {
        $socket = @fsockopen($host, (int) $port, $errno, $error, 0.1);
        if ($socket) {
            fclose($socket);
            return $process;
        }
        usleep(20000);
    }
    throw new RuntimeException('the receiver did not start on ' . RECEIVER);
}

function stop_receiver($process): void
{
    proc_terminate($process);
    proc_close($process);
}

// Ask the mock to push a number-status change, and wait until it reached the receiver.
function number_status_push(string $number): void
{
    $admin = env('PNS_ADMIN_URL');
    $json = ['Content-Type: application/json'];
    http('POST', "$admin/numbers/" . rawurlencode($number) . '/status', ['status' => '10', 'cause' => '2'], $json);
    for ($i = 0; $i < 250; $i++) {
        foreach (http('GET', "$admin/pushes?webhook=numStatus", null, [])['result'] ?? [] as $push) {
            if ($push['attempts']) {
                return;
            }
        }
        usleep(20000);
    }
    throw new RuntimeException('the numStatus push never arrived');
}
