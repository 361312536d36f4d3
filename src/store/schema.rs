// @generated automatically by Diesel CLI.

diesel::table! {
    attachments (id) {
        id -> Integer,
        message_id -> Integer,
        name -> Text,
        mime -> Text,
        kind -> Text,
        sha256 -> Text,
        size -> Integer,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    blobs (sha256) {
        sha256 -> Text,
        bytes -> Binary,
    }
}

diesel::table! {
    conversations (id) {
        id -> Integer,
        title -> Text,
        created_at -> Text,
        updated_at -> Text,
        uuid -> Nullable<Text>,
    }
}

diesel::table! {
    images (id) {
        id -> Integer,
        request_id -> Integer,
        prompt -> Text,
        revised_prompt -> Nullable<Text>,
        model -> Text,
        size -> Text,
        quality -> Nullable<Text>,
        path -> Text,
        copy_path -> Text,
        sha256 -> Text,
        created_at -> Text,
    }
}

diesel::table! {
    imports (sha256) {
        sha256 -> Text,
        kind -> Text,
        source -> Text,
        imported_at -> Text,
        conversations -> Integer,
        messages -> Integer,
        requests -> Integer,
    }
}

diesel::table! {
    messages (id) {
        id -> Integer,
        conversation_id -> Integer,
        role -> Text,
        content -> Text,
        status -> Text,
        content_tokens -> Nullable<Integer>,
        token_encoding -> Nullable<Text>,
        created_at -> Text,
        uuid -> Nullable<Text>,
    }
}

diesel::table! {
    requests (id) {
        id -> Integer,
        conversation_id -> Nullable<Integer>,
        question_id -> Nullable<Integer>,
        answer_id -> Nullable<Integer>,
        kind -> Text,
        model -> Text,
        sent_message_ids -> Text,
        system_prompt -> Nullable<Text>,
        estimated_prompt_tokens -> Nullable<Integer>,
        prompt_tokens -> Nullable<Integer>,
        cached_tokens -> Nullable<Integer>,
        completion_tokens -> Nullable<Integer>,
        reasoning_tokens -> Nullable<Integer>,
        images -> Integer,
        usage_estimated -> Bool,
        started_at -> Text,
        first_token_ms -> Nullable<Integer>,
        duration_ms -> Nullable<Integer>,
        outcome -> Text,
        error -> Nullable<Text>,
        input_price_picodollars -> Nullable<BigInt>,
        cached_price_picodollars -> Nullable<BigInt>,
        output_price_picodollars -> Nullable<BigInt>,
        cost_picodollars -> Nullable<BigInt>,
        owner -> Nullable<Text>,
        cache_write_tokens -> Nullable<Integer>,
        cache_write_price_picodollars -> Nullable<BigInt>,
        service_tier -> Nullable<Text>,
        uuid -> Nullable<Text>,
        imported -> Nullable<Text>,
        role -> Nullable<Text>,
        options -> Nullable<Text>,
    }
}

diesel::table! {
    roles (name) {
        name -> Text,
        system -> Text,
        model -> Nullable<Text>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    usage_totals (level, span, model) {
        level -> Integer,
        span -> Text,
        model -> Text,
        requests -> BigInt,
        prompt_tokens -> BigInt,
        cached_tokens -> BigInt,
        completion_tokens -> BigInt,
        reasoning_tokens -> BigInt,
        images -> BigInt,
        cost_picodollars -> BigInt,
        unpriced_requests -> BigInt,
        failed_requests -> BigInt,
        cache_write_tokens -> BigInt,
    }
}

diesel::joinable!(attachments -> blobs (sha256));
diesel::joinable!(attachments -> messages (message_id));
diesel::joinable!(images -> requests (request_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(requests -> conversations (conversation_id));

diesel::allow_tables_to_appear_in_same_query!(
    attachments,
    blobs,
    conversations,
    images,
    imports,
    messages,
    requests,
    roles,
    settings,
    usage_totals,
);
