<?php
// Receives Simpul's deliveries: verifies the Standard Webhooks signature, refuses stale
// timestamps, skips duplicates by webhook-id, stores each new event id, answers 204.
//
//   WEBHOOK_SECRET=whsec_... RECEIVED_FILE=received.txt php -S 127.0.0.1:9000 receiver.php
//
// PHP 8, standard extensions only.

const TOLERANCE_SECONDS = 300;
// The subscription's whsec_... secret; while it changes, both, separated by a space.
$secrets = preg_split('/\s+/', trim((string) getenv('WEBHOOK_SECRET')), -1, PREG_SPLIT_NO_EMPTY);
$receivedFile = getenv('RECEIVED_FILE') ?: 'received.txt';
$seenDir = getenv('SEEN_DIR') ?: sys_get_temp_dir() . '/simpul-seen';   // use a database in production

function answer(int $status, string $log): void {
    http_response_code($status);
    file_put_contents('php://stderr', $log . "\n");
    exit;
}

if (!$secrets) answer(500, 'set WEBHOOK_SECRET to the whsec_... secret');
if ($_SERVER['REQUEST_METHOD'] !== 'POST') answer(405, 'refused: not a POST');
$body = file_get_contents('php://input');
$id = $_SERVER['HTTP_WEBHOOK_ID'] ?? '';
$timestamp = $_SERVER['HTTP_WEBHOOK_TIMESTAMP'] ?? '';
$header = $_SERVER['HTTP_WEBHOOK_SIGNATURE'] ?? '';

if ($id === '' || !ctype_digit($timestamp) || abs(time() - (int) $timestamp) > TOLERANCE_SECONDS) {
    answer(401, 'refused: missing id or stale timestamp');
}
$valid = false;
foreach ($secrets as $secret) {
    $key = base64_decode(substr($secret, strlen('whsec_')));
    $expected = base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
    foreach (explode(' ', $header) as $part) {
        if (str_starts_with($part, 'v1,') && hash_equals($expected, substr($part, 3))) $valid = true;
    }
}
if (!$valid) answer(401, 'refused: bad signature');

$event = json_decode($body, true);
if (!is_dir($seenDir)) mkdir($seenDir, 0700, true);
$marker = $seenDir . '/' . hash('sha256', $id);
$claim = @fopen($marker, 'x');                         // atomic: fails when this id was seen before
if ($claim === false) answer(204, "duplicate {$event['type']} id=$id signature=ok");
fclose($claim);
if (file_put_contents($receivedFile, $id . "\n", FILE_APPEND | LOCK_EX) === false) {   // store first, work later
    unlink($marker);
    answer(500, "cannot store id=$id; Simpul will retry");
}
answer(204, "received {$event['type']} id=$id signature=ok");
