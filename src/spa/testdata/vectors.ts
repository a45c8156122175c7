// Test vectors from the project research (shared/research/fwknop-vectors, see
// its README.md): NN_* captured from the real fwknop 2.6.10 client, D* built
// with fixed salt/rand/timestamp and accepted by the real fwknopd 2.6.10.
// Generated from those JSON files, trimmed to what the tests use; the vector
// test re-reads the research folder when it is present and checks this copy
// against it. Test keys only, made for this purpose.

export interface CapturedVector {
  readonly name: string;
  readonly key_base64: string | null;
  readonly key_passphrase: string | null;
  readonly hmac_key_base64: string | null;
  readonly hmac_key_passphrase: string | null;
  readonly hmac_type: string | null;
  readonly encryption_mode: string;
  readonly packet: string;
  /** fwknop -v's "SPA Field Values" block, up to "Final SPA Data". */
  readonly fwknop_dump: string;
  readonly fwknop_printed_fields: Readonly<Record<string, string>>;
  readonly replayDigestSha256: string | null;
}

export interface DeterministicVector {
  readonly name: string;
  readonly inputs: {
    readonly name: string;
    readonly key_base64?: string;
    readonly key_passphrase?: string;
    readonly hmac_key_base64?: string;
    readonly hmac: string | null;
    readonly digest: string;
    readonly rand: string;
    readonly user: string;
    readonly timestamp: number;
    readonly msgType: number;
    readonly message: string;
    readonly natAccess?: string;
    readonly clientTimeout?: number;
    readonly salt_hex: string;
  };
  readonly expected: {
    readonly encoded_fields: string;
    readonly inner_digest_b64: string;
    readonly plaintext_before_padding: string;
    readonly evp_bytes_to_key: { readonly aes256_key_hex: string; readonly iv_hex: string };
    readonly ciphertext_b64_with_Salted_prefix: string;
    readonly hmac_b64: string | null;
    readonly wire_packet: string;
    readonly wire_length: number;
  };
}

export const CAPTURED: readonly CapturedVector[] = [
  {
    "name": "01_access_tcp22_hmac_sha256",
    "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
    "key_passphrase": null,
    "hmac_key_base64": "lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==",
    "hmac_key_passphrase": null,
    "hmac_type": "sha256",
    "encryption_mode": "cbc",
    "packet": "9S6bu7KmxoLcfjFGPXI+G9CBLn5Ooc0dlQ1Fpl3NEG7QAMUlLVHyE22UWf6K830SyTxYoLjZaqVukDFDSanBFxQ/qtHzyXFtD7GP0b0DgmuIQDYjO9kwXyboB2vUtcDw1hPK2jTg9vr3e9bRwmdDKAn8YlGziOo9IkpuXCi9ttmDkLD0ydmG077a+D/QCZG9wwGyzLfqfgYE",
    "fwknop_dump": "SPA Field Values:\n=================\n   Random Value: 1425463354494151\n       Username: root\n      Timestamp: 1795324529\n    FKO Version: 3.0.0\n   Message Type: 1 (Access msg)\n Message String: 127.0.0.2,tcp/22\n     Nat Access: <NULL>\n    Server Auth: <NULL>\n Client Timeout: 0\n    Digest Type: 3 (SHA256)\n      HMAC Type: 3 (SHA256)\nEncryption Type: 1 (Rijndael)\nEncryption Mode: 2 (CBC)\n   Encoded Data: 1425463354494151:cm9vdA:1795324529:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg\nSPA Data Digest: 8FqYj+L4m7dME5XCCKweiuYhqHw8FV4GuIoezcZVWaM\n           HMAC: kpuXCi9ttmDkLD0ydmG077a+D/QCZG9wwGyzLfqfgYE\n Final SPA Data: 9S6bu7KmxoLcfjFGPXI+G9CBLn5Ooc0dlQ1Fpl3NEG7QAMUlLVHyE22UWf6K830SyTxYoLjZaqVukDFDSanBFxQ/qtHzyXFtD7GP0b0DgmuIQDYjO9kwXyboB2vUtcDw1hPK2jTg9vr3e9bRwmdDKAn8YlGziOo9IkpuXCi9ttmDkLD0ydmG077a+D/QCZG9wwGyzLfqfgYE",
    "fwknop_printed_fields": {
      "Random Value": "1425463354494151",
      "Username": "root",
      "Timestamp": "1795324529",
      "FKO Version": "3.0.0",
      "Message Type": "1 (Access msg)",
      "Message String": "127.0.0.2,tcp/22",
      "Nat Access": "<NULL>",
      "Server Auth": "<NULL>",
      "Client Timeout": "0",
      "Digest Type": "3 (SHA256)",
      "HMAC Type": "3 (SHA256)",
      "Encryption Type": "1 (Rijndael)",
      "Encryption Mode": "2 (CBC)",
      "Encoded Data": "1425463354494151:cm9vdA:1795324529:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg",
      "SPA Data Digest": "8FqYj+L4m7dME5XCCKweiuYhqHw8FV4GuIoezcZVWaM",
      "HMAC": "kpuXCi9ttmDkLD0ydmG077a+D/QCZG9wwGyzLfqfgYE",
      "Final SPA Data": "9S6bu7KmxoLcfjFGPXI+G9CBLn5Ooc0dlQ1Fpl3NEG7QAMUlLVHyE22UWf6K830SyTxYoLjZaqVukDFDSanBFxQ/qtHzyXFtD7GP0b0DgmuIQDYjO9kwXyboB2vUtcDw1hPK2jTg9vr3e9bRwmdDKAn8YlGziOo9IkpuXCi9ttmDkLD0ydmG077a+D/QCZG9wwGyzLfqfgYE"
    },
    "replayDigestSha256": "9RekmEaME1hSD+jYtU6aCnG8jUTG3vHCeJ/FMHlqmu8"
  },
  {
    "name": "03_client_timeout",
    "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
    "key_passphrase": null,
    "hmac_key_base64": "lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==",
    "hmac_key_passphrase": null,
    "hmac_type": "sha256",
    "encryption_mode": "cbc",
    "packet": "85Q0qgpKgBoqKqmgT7Z3ubyLdvg77/UQjvA0ZXSRNdo3fBgX0m4Tss3RQOQlHECk5bjD9Uy8EmzytSlsVkSDARwZs/NgEO1PP1athM4pBK7DifiqqbCfJJ9nVJQYcLaUJUaUc1lZDle3fQ/YixNCyueex9sXLef5Ebq1/vo8e7yZeO8e5jngbCXpuBqpvTc/mnplwM+8onUXMGHwHgjLVNkicKRQrZsBY",
    "fwknop_dump": "SPA Field Values:\n=================\n   Random Value: 6481715101951333\n       Username: root\n      Timestamp: 1795324531\n    FKO Version: 3.0.0\n   Message Type: 3 (Client timeout access msg)\n Message String: 127.0.0.2,tcp/22\n     Nat Access: <NULL>\n    Server Auth: <NULL>\n Client Timeout: 45\n    Digest Type: 3 (SHA256)\n      HMAC Type: 3 (SHA256)\nEncryption Type: 1 (Rijndael)\nEncryption Mode: 2 (CBC)\n   Encoded Data: 6481715101951333:cm9vdA:1795324531:3.0.0:3:MTI3LjAuMC4yLHRjcC8yMg:45\nSPA Data Digest: z0VoXvunu+UaMqf1SInmYQJ9pZkHNkTJD2b2wTzVOKs\n           HMAC: XpuBqpvTc/mnplwM+8onUXMGHwHgjLVNkicKRQrZsBY\n Final SPA Data: 85Q0qgpKgBoqKqmgT7Z3ubyLdvg77/UQjvA0ZXSRNdo3fBgX0m4Tss3RQOQlHECk5bjD9Uy8EmzytSlsVkSDARwZs/NgEO1PP1athM4pBK7DifiqqbCfJJ9nVJQYcLaUJUaUc1lZDle3fQ/YixNCyueex9sXLef5Ebq1/vo8e7yZeO8e5jngbCXpuBqpvTc/mnplwM+8onUXMGHwHgjLVNkicKRQrZsBY",
    "fwknop_printed_fields": {
      "Random Value": "6481715101951333",
      "Username": "root",
      "Timestamp": "1795324531",
      "FKO Version": "3.0.0",
      "Message Type": "3 (Client timeout access msg)",
      "Message String": "127.0.0.2,tcp/22",
      "Nat Access": "<NULL>",
      "Server Auth": "<NULL>",
      "Client Timeout": "45",
      "Digest Type": "3 (SHA256)",
      "HMAC Type": "3 (SHA256)",
      "Encryption Type": "1 (Rijndael)",
      "Encryption Mode": "2 (CBC)",
      "Encoded Data": "6481715101951333:cm9vdA:1795324531:3.0.0:3:MTI3LjAuMC4yLHRjcC8yMg:45",
      "SPA Data Digest": "z0VoXvunu+UaMqf1SInmYQJ9pZkHNkTJD2b2wTzVOKs",
      "HMAC": "XpuBqpvTc/mnplwM+8onUXMGHwHgjLVNkicKRQrZsBY",
      "Final SPA Data": "85Q0qgpKgBoqKqmgT7Z3ubyLdvg77/UQjvA0ZXSRNdo3fBgX0m4Tss3RQOQlHECk5bjD9Uy8EmzytSlsVkSDARwZs/NgEO1PP1athM4pBK7DifiqqbCfJJ9nVJQYcLaUJUaUc1lZDle3fQ/YixNCyueex9sXLef5Ebq1/vo8e7yZeO8e5jngbCXpuBqpvTc/mnplwM+8onUXMGHwHgjLVNkicKRQrZsBY"
    },
    "replayDigestSha256": "6N7aiY1Dn5Ot3cZmZbPjnuDjpIVCvK8wbdrD9kThJW4"
  },
  {
    "name": "05_nat_access",
    "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
    "key_passphrase": null,
    "hmac_key_base64": "lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==",
    "hmac_key_passphrase": null,
    "hmac_type": "sha256",
    "encryption_mode": "cbc",
    "packet": "/afAMxKHEqq6FaQ6U4WLfMIJVT5es8u5Y3uB5/buHecgOPwY9/OXAbLFAJi8cwaTa0TOQG/qw4aGZRJCa8db6NpeiYWhJlyalbiVCcS6IGo4ALoLniljVs/vowK1OLR7dbNVUloDb6hadvDinCutlfyWeH6ij3uWzuHgMKVDBjgB6mD6lJ8CeCAJ//G7LE3JAh+822NbFZyg6Z8J++qbGjMtHqXLR49xW9WXNUukPfdxRdBMiBrJa/0",
    "fwknop_dump": "SPA Field Values:\n=================\n   Random Value: 1099090615762368\n       Username: root\n      Timestamp: 1795324533\n    FKO Version: 3.0.0\n   Message Type: 2 (NAT access msg)\n Message String: 127.0.0.2,tcp/2222\n     Nat Access: 192.168.10.5,22\n    Server Auth: <NULL>\n Client Timeout: 0\n    Digest Type: 3 (SHA256)\n      HMAC Type: 3 (SHA256)\nEncryption Type: 1 (Rijndael)\nEncryption Mode: 2 (CBC)\n   Encoded Data: 1099090615762368:cm9vdA:1795324533:3.0.0:2:MTI3LjAuMC4yLHRjcC8yMjIy:MTkyLjE2OC4xMC41LDIy\nSPA Data Digest: sdDKUj6+2IcCToxu1GBa2n7g9H7njatwj4CUylfyOqU\n           HMAC: 6Z8J++qbGjMtHqXLR49xW9WXNUukPfdxRdBMiBrJa/0\n Final SPA Data: /afAMxKHEqq6FaQ6U4WLfMIJVT5es8u5Y3uB5/buHecgOPwY9/OXAbLFAJi8cwaTa0TOQG/qw4aGZRJCa8db6NpeiYWhJlyalbiVCcS6IGo4ALoLniljVs/vowK1OLR7dbNVUloDb6hadvDinCutlfyWeH6ij3uWzuHgMKVDBjgB6mD6lJ8CeCAJ//G7LE3JAh+822NbFZyg6Z8J++qbGjMtHqXLR49xW9WXNUukPfdxRdBMiBrJa/0",
    "fwknop_printed_fields": {
      "Random Value": "1099090615762368",
      "Username": "root",
      "Timestamp": "1795324533",
      "FKO Version": "3.0.0",
      "Message Type": "2 (NAT access msg)",
      "Message String": "127.0.0.2,tcp/2222",
      "Nat Access": "192.168.10.5,22",
      "Server Auth": "<NULL>",
      "Client Timeout": "0",
      "Digest Type": "3 (SHA256)",
      "HMAC Type": "3 (SHA256)",
      "Encryption Type": "1 (Rijndael)",
      "Encryption Mode": "2 (CBC)",
      "Encoded Data": "1099090615762368:cm9vdA:1795324533:3.0.0:2:MTI3LjAuMC4yLHRjcC8yMjIy:MTkyLjE2OC4xMC41LDIy",
      "SPA Data Digest": "sdDKUj6+2IcCToxu1GBa2n7g9H7njatwj4CUylfyOqU",
      "HMAC": "6Z8J++qbGjMtHqXLR49xW9WXNUukPfdxRdBMiBrJa/0",
      "Final SPA Data": "/afAMxKHEqq6FaQ6U4WLfMIJVT5es8u5Y3uB5/buHecgOPwY9/OXAbLFAJi8cwaTa0TOQG/qw4aGZRJCa8db6NpeiYWhJlyalbiVCcS6IGo4ALoLniljVs/vowK1OLR7dbNVUloDb6hadvDinCutlfyWeH6ij3uWzuHgMKVDBjgB6mD6lJ8CeCAJ//G7LE3JAh+822NbFZyg6Z8J++qbGjMtHqXLR49xW9WXNUukPfdxRdBMiBrJa/0"
    },
    "replayDigestSha256": "q1Y6v2TAKF05d094r8F5zfbE+tnz/88hTZrJ1FOIf0U"
  },
  {
    "name": "14_no_hmac",
    "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
    "key_passphrase": null,
    "hmac_key_base64": null,
    "hmac_key_passphrase": null,
    "hmac_type": null,
    "encryption_mode": "cbc",
    "packet": "+85JudAgo1hBYXJHKLKqk78h7+YugN6zQUsTRul+WnYsjStcM29n3ONhzH1KYigk8xRESP55xj/AEcleKCeh2JlqaczMK1sybYaV0FQ/OkODvsjuSu/wMw+H2BZo2UJr3QJYyZm6kU6mawwpv9LWhg57vGR7njg+Y",
    "fwknop_dump": "SPA Field Values:\n=================\n   Random Value: 9580485191143462\n       Username: root\n      Timestamp: 1795324542\n    FKO Version: 3.0.0\n   Message Type: 1 (Access msg)\n Message String: 127.0.0.2,tcp/22\n     Nat Access: <NULL>\n    Server Auth: <NULL>\n Client Timeout: 0\n    Digest Type: 3 (SHA256)\n      HMAC Type: 0 (None)\nEncryption Type: 1 (Rijndael)\nEncryption Mode: 2 (CBC)\n   Encoded Data: 9580485191143462:cm9vdA:1795324542:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg\nSPA Data Digest: KMa5sNIxWkDt8TXxP9CqgA+tUNHwlucu7H9LwF179PY\n           HMAC: <NULL>\n Final SPA Data: +85JudAgo1hBYXJHKLKqk78h7+YugN6zQUsTRul+WnYsjStcM29n3ONhzH1KYigk8xRESP55xj/AEcleKCeh2JlqaczMK1sybYaV0FQ/OkODvsjuSu/wMw+H2BZo2UJr3QJYyZm6kU6mawwpv9LWhg57vGR7njg+Y",
    "fwknop_printed_fields": {
      "Random Value": "9580485191143462",
      "Username": "root",
      "Timestamp": "1795324542",
      "FKO Version": "3.0.0",
      "Message Type": "1 (Access msg)",
      "Message String": "127.0.0.2,tcp/22",
      "Nat Access": "<NULL>",
      "Server Auth": "<NULL>",
      "Client Timeout": "0",
      "Digest Type": "3 (SHA256)",
      "HMAC Type": "0 (None)",
      "Encryption Type": "1 (Rijndael)",
      "Encryption Mode": "2 (CBC)",
      "Encoded Data": "9580485191143462:cm9vdA:1795324542:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg",
      "SPA Data Digest": "KMa5sNIxWkDt8TXxP9CqgA+tUNHwlucu7H9LwF179PY",
      "HMAC": "<NULL>",
      "Final SPA Data": "+85JudAgo1hBYXJHKLKqk78h7+YugN6zQUsTRul+WnYsjStcM29n3ONhzH1KYigk8xRESP55xj/AEcleKCeh2JlqaczMK1sybYaV0FQ/OkODvsjuSu/wMw+H2BZo2UJr3QJYyZm6kU6mawwpv9LWhg57vGR7njg+Y"
    },
    "replayDigestSha256": "oPta+da5NsydF4Ak32GijGbsk2npbEfNhd/f8FABAt8"
  },
  {
    "name": "16_legacy_iv_no_hmac",
    "key_base64": null,
    "key_passphrase": "short",
    "hmac_key_base64": null,
    "hmac_key_passphrase": null,
    "hmac_type": null,
    "encryption_mode": "legacy",
    "packet": "8iCaKWC8LCrRYJZfgd4ROh2m1eHMmAfF2KgzI+YZgstz1HN0NOnfXVeE/ZLnmq93vtoVqCs9rK3TapU5JnDMcwhFvhPcI8DWduo5t2JYQt1AGBGMZ7WO8NUTCjHn4oPRaEI58ilu+5eMgO7qSKm+C9fNdnW8/6VyQ",
    "fwknop_dump": "SPA Field Values:\n=================\n   Random Value: 8661941149073008\n       Username: root\n      Timestamp: 1795324544\n    FKO Version: 3.0.0\n   Message Type: 1 (Access msg)\n Message String: 127.0.0.2,tcp/22\n     Nat Access: <NULL>\n    Server Auth: <NULL>\n Client Timeout: 0\n    Digest Type: 3 (SHA256)\n      HMAC Type: 0 (None)\nEncryption Type: 1 (Rijndael)\nEncryption Mode: 8 (legacy)\n   Encoded Data: 8661941149073008:cm9vdA:1795324544:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg\nSPA Data Digest: nUKVj8FxDcR6nbcqSwi6HBB2Ay4suo0AHlI/EBdFQJE\n           HMAC: <NULL>\n Final SPA Data: 8iCaKWC8LCrRYJZfgd4ROh2m1eHMmAfF2KgzI+YZgstz1HN0NOnfXVeE/ZLnmq93vtoVqCs9rK3TapU5JnDMcwhFvhPcI8DWduo5t2JYQt1AGBGMZ7WO8NUTCjHn4oPRaEI58ilu+5eMgO7qSKm+C9fNdnW8/6VyQ",
    "fwknop_printed_fields": {
      "Random Value": "8661941149073008",
      "Username": "root",
      "Timestamp": "1795324544",
      "FKO Version": "3.0.0",
      "Message Type": "1 (Access msg)",
      "Message String": "127.0.0.2,tcp/22",
      "Nat Access": "<NULL>",
      "Server Auth": "<NULL>",
      "Client Timeout": "0",
      "Digest Type": "3 (SHA256)",
      "HMAC Type": "0 (None)",
      "Encryption Type": "1 (Rijndael)",
      "Encryption Mode": "8 (legacy)",
      "Encoded Data": "8661941149073008:cm9vdA:1795324544:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg",
      "SPA Data Digest": "nUKVj8FxDcR6nbcqSwi6HBB2Ay4suo0AHlI/EBdFQJE",
      "HMAC": "<NULL>",
      "Final SPA Data": "8iCaKWC8LCrRYJZfgd4ROh2m1eHMmAfF2KgzI+YZgstz1HN0NOnfXVeE/ZLnmq93vtoVqCs9rK3TapU5JnDMcwhFvhPcI8DWduo5t2JYQt1AGBGMZ7WO8NUTCjHn4oPRaEI58ilu+5eMgO7qSKm+C9fNdnW8/6VyQ"
    },
    "replayDigestSha256": "7UjAkhzaqbYUEddP0axfcTbJEH/TAGpwN7CzDgHEmaE"
  }
];

export const DETERMINISTIC: readonly DeterministicVector[] = [
  {
    "name": "D1_access_sha256_hmac_sha256",
    "inputs": {
      "name": "D1_access_sha256_hmac_sha256",
      "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
      "hmac_key_base64": "lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==",
      "hmac": "sha256",
      "digest": "sha256",
      "rand": "1234567890123456",
      "user": "spauser",
      "timestamp": 1700000000,
      "msgType": 1,
      "message": "127.0.0.2,tcp/22",
      "salt_hex": "0001020304050607"
    },
    "expected": {
      "encoded_fields": "1234567890123456:c3BhdXNlcg:1700000000:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg",
      "inner_digest_b64": "nDjHOtgT6S85JEfXnu+YzqxQSe1WSopU62AFJ7Jxce4",
      "plaintext_before_padding": "1234567890123456:c3BhdXNlcg:1700000000:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg:nDjHOtgT6S85JEfXnu+YzqxQSe1WSopU62AFJ7Jxce4",
      "evp_bytes_to_key": {
        "aes256_key_hex": "3ac303ac751fa1df05a3d33714ecf5910d8b3debd32d4b835119ad5873c2abac",
        "iv_hex": "7a518290a5f2abde10b9a7ac9906f65f"
      },
      "ciphertext_b64_with_Salted_prefix": "U2FsdGVkX18AAQIDBAUGB9RKHMEISV7FLJDeB0YYq1YCI0KlCK1hKcsVccQtq5wE5hwYxeIOCKK6Pqy5oqfyif8ZOxx2I5JUyuWkfJb6/dG+6GssS71JMekDAyYRKYo+4l9OPJWvfOvIXAckvIL1CddbzjD3NdYb+roUINmEfjAPDG+Tcx+7yhj9iFCt4rA7",
      "hmac_b64": "OnIx6bH/m6QfsENRwhbMgbtk0SkuJ7/Y29+xgYVR3AA",
      "wire_packet": "8AAQIDBAUGB9RKHMEISV7FLJDeB0YYq1YCI0KlCK1hKcsVccQtq5wE5hwYxeIOCKK6Pqy5oqfyif8ZOxx2I5JUyuWkfJb6/dG+6GssS71JMekDAyYRKYo+4l9OPJWvfOvIXAckvIL1CddbzjD3NdYb+roUINmEfjAPDG+Tcx+7yhj9iFCt4rA7OnIx6bH/m6QfsENRwhbMgbtk0SkuJ7/Y29+xgYVR3AA",
      "wire_length": 225
    }
  },
  {
    "name": "D2_client_timeout_type3",
    "inputs": {
      "name": "D2_client_timeout_type3",
      "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
      "hmac_key_base64": "lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==",
      "hmac": "sha256",
      "digest": "sha256",
      "rand": "9876543210987654",
      "user": "spauser",
      "timestamp": 1700000100,
      "msgType": 3,
      "message": "127.0.0.2,tcp/22",
      "clientTimeout": 60,
      "salt_hex": "a1a2a3a4a5a6a7a8"
    },
    "expected": {
      "encoded_fields": "9876543210987654:c3BhdXNlcg:1700000100:3.0.0:3:MTI3LjAuMC4yLHRjcC8yMg:60",
      "inner_digest_b64": "ZfPqrrxjgTYIvvn44Zy4GfJ1BIqgkfNA7hmMD5r7x4I",
      "plaintext_before_padding": "9876543210987654:c3BhdXNlcg:1700000100:3.0.0:3:MTI3LjAuMC4yLHRjcC8yMg:60:ZfPqrrxjgTYIvvn44Zy4GfJ1BIqgkfNA7hmMD5r7x4I",
      "evp_bytes_to_key": {
        "aes256_key_hex": "1a4b333a83cc2835fc3ce2446339fa13afaae0c82ed8f7e9e847da5b4af417b1",
        "iv_hex": "2e32dda16ccb3fe4024417348c22c179"
      },
      "ciphertext_b64_with_Salted_prefix": "U2FsdGVkX1+hoqOkpaanqM6c1vCK3ZBWHbKGfnVhEjMnpO1c+29BHAfg6jZxM8hcOqGHT1rSRphjqRrbYK3KcByGs0r8Ki4tbi9fjx0F2+aEO6fjsRyYlArTpASqRGjrhnPKo/PFdDG1Ho6yv3zQO7sKt1pATL7WaDLkVzmfnc2QYLSlA0nnB/XSb6UVAcs5",
      "hmac_b64": "JtR78q2jhGERRfZzakKBQNNna90twWhA0nSJpnwk23k",
      "wire_packet": "+hoqOkpaanqM6c1vCK3ZBWHbKGfnVhEjMnpO1c+29BHAfg6jZxM8hcOqGHT1rSRphjqRrbYK3KcByGs0r8Ki4tbi9fjx0F2+aEO6fjsRyYlArTpASqRGjrhnPKo/PFdDG1Ho6yv3zQO7sKt1pATL7WaDLkVzmfnc2QYLSlA0nnB/XSb6UVAcs5JtR78q2jhGERRfZzakKBQNNna90twWhA0nSJpnwk23k",
      "wire_length": 225
    }
  },
  {
    "name": "D3_passphrase_no_hmac",
    "inputs": {
      "name": "D3_passphrase_no_hmac",
      "key_passphrase": "fwknop-test-pass",
      "hmac": null,
      "digest": "sha256",
      "rand": "5555555555555555",
      "user": "root",
      "timestamp": 1700000200,
      "msgType": 1,
      "message": "127.0.0.2,udp/53",
      "salt_hex": "ffffffffffffffff"
    },
    "expected": {
      "encoded_fields": "5555555555555555:cm9vdA:1700000200:3.0.0:1:MTI3LjAuMC4yLHVkcC81Mw",
      "inner_digest_b64": "y6wmaHXY7SIqbKlq08IH8oe0B1DFd8VUpZ2+wUZHTDA",
      "plaintext_before_padding": "5555555555555555:cm9vdA:1700000200:3.0.0:1:MTI3LjAuMC4yLHVkcC81Mw:y6wmaHXY7SIqbKlq08IH8oe0B1DFd8VUpZ2+wUZHTDA",
      "evp_bytes_to_key": {
        "aes256_key_hex": "a008d3969016e49417defc00a7ce77bec6e8d4cb4695ccfec3bd9997f11f69e3",
        "iv_hex": "7619a941af662e63ceb69dde6d1963cb"
      },
      "ciphertext_b64_with_Salted_prefix": "U2FsdGVkX1///////////6u7fe9mmVlQC+bunkYxRoCqpl9GxOj6NxN02ruKeBfQ6ccJW/+/wjfZ2QrpPPUvbH6+Hd6SIDKQA+Ymck7IvTitZagiapsaqn+ME5lz3USL/sjwH3bJ95+0hD7CMO9Wol7N0wGeAGLBCwdNgpkWaX8",
      "hmac_b64": null,
      "wire_packet": "///////////6u7fe9mmVlQC+bunkYxRoCqpl9GxOj6NxN02ruKeBfQ6ccJW/+/wjfZ2QrpPPUvbH6+Hd6SIDKQA+Ymck7IvTitZagiapsaqn+ME5lz3USL/sjwH3bJ95+0hD7CMO9Wol7N0wGeAGLBCwdNgpkWaX8",
      "wire_length": 161
    }
  },
  {
    "name": "D4_sha512_digest_hmac_sha512",
    "inputs": {
      "name": "D4_sha512_digest_hmac_sha512",
      "key_base64": "LkLSbMsTIBoIJ8lS4zE9opeujHYEkUKqYJwRxhcPJlE=",
      "hmac_key_base64": "7jqVCpj5CYE7cAq+2alLKXslt6hR9OBvWP3QPzvl/2ikfXhe3M+yBmbzfe3ZeAJKIq+p9WUSAa4m84fkHJPoep+b8Aw9WhTebqPPALBhNrJ4yKxvmcO34Rs0PxFUlKX2q83Yem1gRqNxeeQHNA5besvF3nIeYRVHbucpKCMZGfE=",
      "hmac": "sha512",
      "digest": "sha512",
      "rand": "1111111111111111",
      "user": "root",
      "timestamp": 1700000300,
      "msgType": 1,
      "message": "127.0.0.2,tcp/22,tcp/443",
      "salt_hex": "0102030405060708"
    },
    "expected": {
      "encoded_fields": "1111111111111111:cm9vdA:1700000300:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMix0Y3AvNDQz",
      "inner_digest_b64": "zFRTiUmUacPRDv/RH15h5sV03TIcVqywgZoxuD1e66WNiJTjkReDXiCxAETAJlzOp2ErmqxruPjmUV0nZpzhTA",
      "plaintext_before_padding": "1111111111111111:cm9vdA:1700000300:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMix0Y3AvNDQz:zFRTiUmUacPRDv/RH15h5sV03TIcVqywgZoxuD1e66WNiJTjkReDXiCxAETAJlzOp2ErmqxruPjmUV0nZpzhTA",
      "evp_bytes_to_key": {
        "aes256_key_hex": "3cbbbe0f5512714cd2432bfeda06ac9740e3ec4d6af587995fcb695a8fcda00e",
        "iv_hex": "6f95231abcf5e21be1bbbe9d5f71babf"
      },
      "ciphertext_b64_with_Salted_prefix": "U2FsdGVkX18BAgMEBQYHCNGufuocFSiGTDpOt/toMJCLbJsgNv/BhCEIgzOAPCJshwwKKYwMuWJOdUonKhN9bEHHBO1wwp5uZ8PVgTTGY3782TPLHut3BaEZME1l5qhDE9WsjsORIxfHpOeXcSFfbyvpo439ww+A/skGUqm0uYaIvIO3leEQ4NlQUqe9/NCxX8Q6c4CXNrhh0Mv4/a5AWweJPlrvxLlcwUhHIRqqscngXfYKTqL6uBOsXhR2wHZ3",
      "hmac_b64": "As8RTcH9Qd1kw62KWhh36lpLtGqyhI6Jlz8CXlKTx0zUsVmYf+c7blh3rae9NlhoGHW/4O2NEEh5u8SA7791Tg",
      "wire_packet": "8BAgMEBQYHCNGufuocFSiGTDpOt/toMJCLbJsgNv/BhCEIgzOAPCJshwwKKYwMuWJOdUonKhN9bEHHBO1wwp5uZ8PVgTTGY3782TPLHut3BaEZME1l5qhDE9WsjsORIxfHpOeXcSFfbyvpo439ww+A/skGUqm0uYaIvIO3leEQ4NlQUqe9/NCxX8Q6c4CXNrhh0Mv4/a5AWweJPlrvxLlcwUhHIRqqscngXfYKTqL6uBOsXhR2wHZ3As8RTcH9Qd1kw62KWhh36lpLtGqyhI6Jlz8CXlKTx0zUsVmYf+c7blh3rae9NlhoGHW/4O2NEEh5u8SA7791Tg",
      "wire_length": 332
    }
  },
  {
    "name": "D5_nat_access_timeout_type4",
    "inputs": {
      "name": "D5_nat_access_timeout_type4",
      "key_base64": "cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=",
      "hmac_key_base64": "lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==",
      "hmac": "sha256",
      "digest": "sha256",
      "rand": "2222222222222222",
      "user": "root",
      "timestamp": 1700000400,
      "msgType": 4,
      "message": "127.0.0.2,tcp/2222",
      "natAccess": "192.168.10.5,22",
      "clientTimeout": 120,
      "salt_hex": "1020304050607080"
    },
    "expected": {
      "encoded_fields": "2222222222222222:cm9vdA:1700000400:3.0.0:4:MTI3LjAuMC4yLHRjcC8yMjIy:MTkyLjE2OC4xMC41LDIy:120",
      "inner_digest_b64": "XXxJtqvpT5Ag1Uw8fBE396w8YnUmzvK7TVBTshVP2lk",
      "plaintext_before_padding": "2222222222222222:cm9vdA:1700000400:3.0.0:4:MTI3LjAuMC4yLHRjcC8yMjIy:MTkyLjE2OC4xMC41LDIy:120:XXxJtqvpT5Ag1Uw8fBE396w8YnUmzvK7TVBTshVP2lk",
      "evp_bytes_to_key": {
        "aes256_key_hex": "a2d9933f07e953bc564eeac7687f10dda45050bc4e061c1afb39db0280a6fcc9",
        "iv_hex": "5a2645febb99828a93c1dcfeaf64b741"
      },
      "ciphertext_b64_with_Salted_prefix": "U2FsdGVkX18QIDBAUGBwgGRopIBRORzVypJgrjzM2nOqHNkJ0ZoJLWW7wSUYB4Ltt1n+2g82PnV7/YmiM80Lm9TDaIsBzMQ+MtQcOqs5joyLxDk3UgzJgW7CtCvjVGI5ZiBshLKS/Vzv/NpnxQ7ZRWsAgIXPfaeeZ0TYRfHehMLRyV9Tm0gvn7LaRdy7bEFMun/TvciU0/6KQlZH9Wtypw",
      "hmac_b64": "cKStyZ2BGTFyKD77cXJexpCqARa8EIAxYNhLt7wq+fc",
      "wire_packet": "8QIDBAUGBwgGRopIBRORzVypJgrjzM2nOqHNkJ0ZoJLWW7wSUYB4Ltt1n+2g82PnV7/YmiM80Lm9TDaIsBzMQ+MtQcOqs5joyLxDk3UgzJgW7CtCvjVGI5ZiBshLKS/Vzv/NpnxQ7ZRWsAgIXPfaeeZ0TYRfHehMLRyV9Tm0gvn7LaRdy7bEFMun/TvciU0/6KQlZH9WtypwcKStyZ2BGTFyKD77cXJexpCqARa8EIAxYNhLt7wq+fc",
      "wire_length": 247
    }
  }
];
