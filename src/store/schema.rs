// @generated automatically by Diesel CLI.

diesel::table! {
    conversations (id) {
        id -> Integer,
        title -> Text,
        created_at -> Text,
        updated_at -> Text,
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
        input_price -> Nullable<Double>,
        cached_price -> Nullable<Double>,
        output_price -> Nullable<Double>,
        cost -> Nullable<Double>,
        started_at -> Text,
        first_token_ms -> Nullable<Integer>,
        duration_ms -> Nullable<Integer>,
        outcome -> Text,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(requests -> conversations (conversation_id));

diesel::allow_tables_to_appear_in_same_query!(conversations, messages, requests, settings,);
